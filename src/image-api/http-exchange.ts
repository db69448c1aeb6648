import { APIConnectionError, APIError, APITimeoutError, InvalidResponseError } from '../errors/api-error.js';
import type { AuthHeaders } from './auth.js';

/** What every image client is built from. */
export interface ImageClientOptions {
  /** Full URL of the generations endpoint. */
  url: string;
  /** `model` sent in the body: the deployment name. */
  model: string;
  auth: AuthHeaders;
  /** Abandon one HTTP request after this long. Default 300,000 ms: gpt-image-2 at high quality can take minutes. */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Injected clock for durations. */
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 300_000;

/**
 * One HTTP request to an image API and its JSON answer, with the failures typed the same way for
 * every provider: a timeout (AbortSignal), a network error, a non-2xx answer (APIError.generate, with
 * status, code, request id and retry-after), or a body that is not JSON. Never retries.
 */
export async function exchange(
  client: Required<Pick<ImageClientOptions, 'auth' | 'timeoutMs' | 'fetch'>> & { label: string },
  url: string,
  body: string | FormData,
  contentHeaders: Record<string, string>,
  callerSignal: AbortSignal | undefined,
): Promise<{ json: unknown; requestId: string | undefined; status: number }> {
  const timeout = AbortSignal.timeout(client.timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    // For FormData, fetch sets the multipart content type with its boundary itself.
    const headers = { ...contentHeaders, accept: 'application/json', ...(await client.auth()) };
    response = await client.fetch(url, { method: 'POST', headers, body, signal });
    text = await response.text();
  } catch (error) {
    if (timeout.aborted) throw new APITimeoutError(client.timeoutMs);
    if (callerSignal?.aborted) throw error;
    throw new APIConnectionError(`${client.label} request failed: ${describeCause(error)}`, { cause: error });
  }
  const requestId = response.headers.get('apim-request-id') ?? response.headers.get('x-request-id') ?? undefined;
  const json = parseJson(text);
  if (!response.ok) throw APIError.generate(response.status, json ?? { error: { message: text.slice(0, 500) } }, response.headers);
  if (json === undefined) throw new InvalidResponseError(`the ${client.label} answered ${response.status} with a body that is not JSON`, 'malformed_response', requestId);
  return { json, requestId, status: response.status };
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
