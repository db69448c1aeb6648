import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { describeError } from '../errors/describe-error.js';
import { listen, type Listening } from '../http/listen.js';
import { scrubText } from '../logging/redaction.js';
import { withTimeout } from './with-timeout.js';

/** One readiness condition: resolves when it holds, rejects (with a reason) when it does not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

export interface HealthServerOptions {
  /** Port to listen on; 0 lets the system choose (see `HealthServer.port`). */
  port: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string | undefined;
  /** Served at `/metrics`. */
  registry: Registry;
  /** Run in parallel for `/readyz`, by name; every one must pass. */
  checks: Record<string, ReadinessCheck>;
  /** How long each readiness check may take before it counts as failed. Default 2000 ms. */
  checkTimeoutMs?: number | undefined;
  /** Told of server errors after it started listening (the server keeps running). */
  onError?: ((error: Error) => void) | undefined;
}

/** The running health server: its `url`, `port` and `close()`. */
export type HealthServer = Listening;

export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * The worker's health endpoints, on their own small HTTP server:
 * - `GET /metrics`: Prometheus text exposition of `registry`;
 * - `GET /livez`: 200 whenever the process answers at all (its event loop is running);
 * - `GET /readyz`: 200 when every check passes within `checkTimeoutMs`, else 503 with a JSON body
 *   naming what failed (`{"status":"unavailable","failed":["storage"],"checks":{...}}`).
 * Error texts in the body are scrubbed of secrets as log lines are.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  const server = createServer((request, response) => {
    handle(request, response, options, timeoutMs).catch((error: unknown) => {
      if (!response.headersSent) send(response, request, 500, 'text/plain; charset=utf-8', `internal error: ${scrubText(error instanceof Error ? error.message : String(error))}\n`);
      else response.destroy();
    });
  });
  // A probe or a scrape never needs long: slow or idle clients must not hold sockets open.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  const listening = await listen(
    server,
    options.port,
    host,
    'health and metrics',
    'give each worker on a host its own POLYGLYPH_HEALTH_PORT (--health-port), or check POLYGLYPH_HEALTH_HOST (--health-host)',
  );
  server.on('error', (error) => options.onError?.(error));
  return listening;
}

async function handle(request: IncomingMessage, response: ServerResponse, options: HealthServerOptions, timeoutMs: number): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://health').pathname;
  if (path !== '/metrics' && path !== '/livez' && path !== '/readyz') {
    send(response, request, 404, 'text/plain; charset=utf-8', 'not found: try /metrics, /livez or /readyz\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    send(response, request, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  if (path === '/livez') {
    send(response, request, 200, 'text/plain; charset=utf-8', 'ok\n');
  } else if (path === '/metrics') {
    const body = await options.registry.metrics();
    send(response, request, 200, options.registry.contentType, body);
  } else {
    const { ready, body } = await readiness(options.checks, timeoutMs);
    send(response, request, ready ? 200 : 503, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
  }
}

/** The `/readyz` answer: ready when every check passed; the body names the ones that failed. */
export async function readiness(checks: Record<string, ReadinessCheck>, timeoutMs: number): Promise<{ ready: boolean; body: Record<string, unknown> }> {
  const results = await runChecks(checks, timeoutMs);
  const failed = Object.entries(results)
    .filter(([, result]) => !result.ok)
    .map(([name]) => name);
  return failed.length === 0 ? { ready: true, body: { status: 'ready', checks: results } } : { ready: false, body: { status: 'unavailable', failed, checks: results } };
}

/** Every check at once, each bounded by `timeoutMs` (its signal aborts then too). */
export async function runChecks(checks: Record<string, ReadinessCheck>, timeoutMs: number): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await withTimeout(check(signal), timeoutMs, name);
        return [name, { ok: true, ms: Math.round(performance.now() - started) }];
      } catch (error) {
        // A client that honours the signal rejects with a bare "aborted": say what that means.
        const reason = signal.aborted ? `${name} did not answer within ${timeoutMs} ms` : describeError(error, { withStatus: true }).slice(0, 300);
        return [name, { ok: false, ms: Math.round(performance.now() - started), error: scrubText(reason) }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

function send(response: ServerResponse, request: IncomingMessage, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}
