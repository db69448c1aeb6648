import { APIConnectionError, APIError, APITimeoutError, InvalidResponseError } from '../errors/api-error.js';
import type { AuthHeaders } from './auth.js';
import { splitInlineImages } from './inline-images.js';

/** What every image client is built from. */
export interface ImageClientOptions {
  /** Full URL of the generations endpoint. */
  url: string;
  /** The body's `model` (resolveEndpoint decides it); undefined: not sent. */
  bodyModel: string | undefined;
  auth: AuthHeaders;
  /**
   * Abandon one HTTP request after this long. Default 600,000 ms, openai-node's default (src/client.ts):
   * Azure gpt-image calls of ~235 s and ~394 s are reported, and a request abandoned while the
   * service finishes it may still be billed, so a retry after a too-short timeout pays twice.
   */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Injected clock for durations. */
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * What every image client shares: its options, and one HTTP request with its JSON answer, failures
 * typed the same way for every provider — a timeout (AbortSignal), a network error, a non-2xx answer
 * (APIError.generate, with status, code, request id and retry-after), or a body that is not JSON.
 * Never retries: retries belong to the queue, where every worker shares them.
 */
export abstract class HttpImageClient {
  readonly bodyModel: string | undefined;
  protected readonly url: string;
  protected readonly now: () => number;
  readonly #auth: AuthHeaders;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  /** Names the service in error messages. */
  protected abstract readonly label: string;

  constructor(options: ImageClientOptions) {
    this.url = options.url;
    this.bodyModel = options.bodyModel;
    this.#auth = options.auth;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  protected async post(
    url: string,
    body: string | FormData,
    contentHeaders: Record<string, string>,
    callerSignal: AbortSignal | undefined,
  ): Promise<{ json: unknown; requestId: string | undefined; images: Buffer[] }> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    let response: Response;
    let raw: Buffer;
    try {
      // For FormData, fetch sets the multipart content type with its boundary itself.
      const headers = { ...contentHeaders, accept: 'application/json', ...(await this.#auth()) };
      response = await this.#fetch(url, { method: 'POST', headers, body, signal });
      raw = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (timeout.aborted) throw new APITimeoutError(this.#timeoutMs);
      if (callerSignal?.aborted) throw error;
      throw new APIConnectionError(`${this.label} request failed: ${describeCause(error)}`, { cause: error });
    }
    const requestId = response.headers.get('apim-request-id') ?? response.headers.get('x-request-id') ?? undefined;
    // Images are decoded from the bytes, not parsed as strings (inline-images.ts); the rest is ordinary JSON.
    const { text, images } = response.ok ? splitInlineImages(raw) : { text: raw.toString('utf8'), images: [] };
    const json = parseJson(text);
    if (!response.ok) throw APIError.generate(response.status, json ?? { error: { message: text.slice(0, 500) } }, response.headers);
    if (json === undefined) throw new InvalidResponseError(`the ${this.label} answered ${response.status} with a body that is not JSON`, 'malformed_response', requestId);
    return { json, requestId, images };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
