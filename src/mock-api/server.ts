import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyTooLarge, internalServerError, resourceNotFound } from './errors.js';
import { FaultSchedule } from './faults.js';
import { MAX_BODY_BYTES, MAX_EDIT_BODY_BYTES, NO_ANSWER, readBody, sendResponse } from './http-io.js';
import type { MockCredentials } from './auth.js';
import { DeploymentRegistry } from './deployment-registry.js';
import { DeploymentQuota } from './quota.js';
import { ImageRenderer } from './render-image.js';
import { handleAdmin } from './routes/admin.js';
import { handleChat } from './routes/chat-completions.js';
import { handleGeneration, type GenerationContext } from './routes/generate.js';
import { handleMaiGeneration } from './routes/mai-generate.js';
import type { MaiGenerationRoute } from './routes/mai-route.js';
import { matchRoute, type GenerationRoute, type Route } from './routes/match-route.js';
import { MOCK_DEFAULTS, applySettingsPatch, initialSettings, type MockSettings } from './settings.js';
import { StatsRecorder } from './stats.js';
import type { MockFault, MockImageApi, MockImageApiOptions, MockImageApiStats, MockSettingsPatch } from './types.js';

export { MOCK_FAULTS } from './types.js';
export type { MockDeployment, MockFault, MockImageApi, MockImageApiOptions, MockImageApiStats } from './types.js';

/**
 * A stand-in for Azure OpenAI's image generation API, for tests, benchmarks and local demos: the same
 * URLs, validation, error bodies, quota behaviour and real images of the asked size and format, plus
 * faults on demand. It also serves MAI's `/mai/v1/images/generations` (routes/mai-generate.ts) for
 * deployments of MAI models. Importing this module starts nothing; `listen()` does.
 */
export function createMockImageApi(options: MockImageApiOptions = {}): MockImageApi {
  return new MockImageApiServer(options);
}

/** nginx's status for "the client closed the connection before the answer": logged, never sent. */
export const CLIENT_CLOSED_REQUEST = 499;

const CONFIGURABLE = ['latencyMs', 'latencyJitterMs', 'imagesPerMinute', 'faultRates', 'blockedTerms', 'imageFill'] as const;

class MockImageApiServer implements MockImageApi {
  private settings: MockSettings;
  private readonly deployments: DeploymentRegistry;
  private readonly credentials: MockCredentials;
  private readonly chatDeployments: ReadonlySet<string>;
  private readonly chatCounts = { requests: 0, byStatus: {} as Record<string, number> };
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly quota: DeploymentQuota;
  private readonly faults: FaultSchedule;
  private readonly renderer = new ImageRenderer();
  private readonly recorder: StatsRecorder;
  /** Ends the latency of in-flight requests when the server closes. */
  /** Aborts every request's latency wait on close; each request in flight listens to it, so no listener cap. */
  private readonly closing = unlimitedAbortController();
  private server: Server | undefined;
  private address: string | undefined;
  private closed: Promise<void> | undefined;

  constructor(options: MockImageApiOptions) {
    const deployments = options.deployments ?? [...MOCK_DEFAULTS.deployments];
    if (deployments.length === 0 || deployments.some((entry) => (typeof entry === 'string' ? entry : entry.name).trim() === '')) {
      throw new RangeError(`expected at least one non-empty deployment name, got ${JSON.stringify(deployments)}`);
    }
    if (options.apiKey === '') throw new RangeError('expected a non-empty apiKey or none, got an empty string');
    if (options.bearerToken === '') throw new RangeError('expected a non-empty bearerToken or none, got an empty string');
    this.settings = initialSettings(pickConfigurable(options));
    this.deployments = new DeploymentRegistry(deployments);
    this.credentials = { apiKey: options.apiKey, bearerToken: options.bearerToken };
    this.chatDeployments = new Set(options.chatDeployments ?? [...MOCK_DEFAULTS.chatDeployments]);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.quota = new DeploymentQuota(this.settings.imagesPerMinute, this.now);
    this.faults = new FaultSchedule(this.random);
    this.recorder = new StatsRecorder(this.now);
  }

  get url(): string {
    if (this.address === undefined) throw new Error('the stand-in image API is not listening: call listen() first');
    return this.address;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('the stand-in image API listens once: create another one to listen again');
    const server = createServer((request, response) => void this.dispatch(request, response));
    // A malformed request line would otherwise leave the socket to time out.
    server.on('clientError', (_error, socket) => socket.destroy());
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.server = undefined;
      throw error;
    }
    const { address, family, port: actualPort } = server.address() as AddressInfo;
    this.address = `http://${family === 'IPv6' ? `[${address}]` : address}:${actualPort}`;
    return this.address;
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  injectFaults(kinds: MockFault[]): void {
    this.faults.inject(kinds);
  }

  configure(options: MockSettingsPatch): void {
    this.settings = applySettingsPatch(this.settings, options);
    if ('imagesPerMinute' in options) this.quota.setRate(this.settings.imagesPerMinute);
  }

  stats(): MockImageApiStats {
    return this.recorder.snapshot();
  }

  chatStats(): { requests: number; byStatus: Record<string, number> } {
    return { requests: this.chatCounts.requests, byStatus: { ...this.chatCounts.byStatus } };
  }

  resetStats(): void {
    this.chatCounts.requests = 0;
    this.chatCounts.byStatus = {};
    this.recorder.reset();
    this.faults.clear();
  }

  private async shutdown(): Promise<void> {
    this.closing.abort();
    this.address = undefined;
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Hanging requests and idle keep-alive sockets would hold close() open forever.
      server.closeAllConnections();
    });
  }

  private async dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const receivedAt = this.now();
    let route: Route | undefined;
    try {
      route = matchRoute(request.method ?? 'GET', new URL(request.url ?? '/', 'http://stand-in'));
      if (route.kind === 'generation' || route.kind === 'mai-generation') this.recorder.received();
      const limit = route.kind === 'generation' && route.operation === 'edits' ? MAX_EDIT_BODY_BYTES : MAX_BODY_BYTES;
      const body = await readBody(request, limit);
      if (route.kind === 'not-found') return sendResponse(response, resourceNotFound(), requestId);
      if (route.kind === 'chat') {
        const { answer } = handleChat(route, { headers: request.headers, body }, { chatDeployments: this.chatDeployments, credentials: this.credentials, now: this.now });
        this.chatCounts.requests += 1;
        this.chatCounts.byStatus[answer.status] = (this.chatCounts.byStatus[answer.status] ?? 0) + 1;
        return sendResponse(response, answer, requestId);
      }
      if (route.kind === 'admin') {
        return sendResponse(response, body === undefined ? bodyTooLarge(MAX_BODY_BYTES) : handleAdmin(route.action, body, this), requestId);
      }
      await this.answerGeneration(route, request, body, response, requestId, receivedAt);
    } catch {
      // After close() the socket is gone and an aborted latency is expected, not a failure.
      if (this.closing.signal.aborted) return;
      const answer = internalServerError();
      if (route?.kind === 'generation' || route?.kind === 'mai-generation')
        this.recorder.answered({
          operation: route.kind === 'generation' ? route.operation : 'generations',
          deployment: '',
          status: answer.status,
          n: 0,
          size: '',
          prompt: '',
          imagesReturned: 0,
          receivedAt,
        });
      sendResponse(response, answer, requestId);
    }
  }

  private async answerGeneration(
    route: GenerationRoute | MaiGenerationRoute,
    request: IncomingMessage,
    body: Buffer | undefined,
    response: ServerResponse,
    requestId: string,
    receivedAt: number,
  ): Promise<void> {
    const context: GenerationContext = {
      settings: this.settings,
      deployments: this.deployments,
      credentials: this.credentials,
      quota: this.quota,
      faults: this.faults,
      renderer: this.renderer,
      random: this.random,
      now: this.now,
      closing: this.closing.signal,
    };
    // A client that disconnects (a timeout, a crashed worker) before its answer is written never
    // receives the images, so they were not paid for: the answer is logged as 499 and not counted.
    let clientGone = false;
    const onClose = (): void => {
      if (!response.writableEnded) clientGone = true;
    };
    response.once('close', onClose);
    const incoming = { headers: request.headers, body };
    const { answer, ...trace } = route.kind === 'mai-generation' ? await handleMaiGeneration(route, incoming, context) : await handleGeneration(route, incoming, context);
    response.off('close', onClose);
    if (answer === NO_ANSWER) return;
    if (clientGone || response.destroyed || request.socket.destroyed) {
      this.recorder.answered({ ...trace, status: CLIENT_CLOSED_REQUEST, imagesReturned: 0, receivedAt });
      return;
    }
    this.recorder.answered({ ...trace, status: answer.status, receivedAt });
    sendResponse(response, answer, requestId);
  }
}

// With the default cap of 10 listeners, Node warned (MaxListenersExceededWarning) from the 11th request in flight.
function unlimitedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

function pickConfigurable(options: MockImageApiOptions): MockSettingsPatch {
  return Object.fromEntries(CONFIGURABLE.filter((key) => key in options).map((key) => [key, options[key]])) as MockSettingsPatch;
}
