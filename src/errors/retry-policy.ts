import { deploymentFault } from './deployment-fault.js';
import { APIConnectionError, BadRequestError, ConflictError, InternalServerError, InvalidResponseError, RateLimitedError, RequestTimeoutError, isAPIError } from './api-error.js';

/**
 * Codes of 400 answers that are the service's fault, not the request's: Azure has answered multipart
 * edits with `400 unsupported_content_type` intermittently (openai/openai-python#2749); the same
 * request succeeds when sent again.
 */
const TRANSIENT_BAD_REQUEST_CODES: ReadonlySet<string> = new Set(['unsupported_content_type']);

/**
 * The one place that decides whether a failed image request is worth another attempt.
 * First the service's own verdict, `x-should-retry: true|false`, as openai-node obeys it before any
 * status rule (src/client.ts). Then: retried: 408, 409, 429, 5xx, network failures, timeouts,
 * malformed or mismatched responses, and a 400 unsupported_content_type (a known intermittent Azure
 * fault on multipart edits). Not retried: content-policy refusals and every other 4xx (400, 401, 403,
 * 404): the same request would fail the same way, and each attempt may cost money.
 */
export function isRetryable(error: unknown): boolean {
  if (!isAPIError(error)) return false;
  if (error.shouldRetry !== undefined) return error.shouldRetry;
  if (error instanceof BadRequestError && error.code !== undefined && TRANSIENT_BAD_REQUEST_CODES.has(error.code)) return true;
  return (
    error instanceof RateLimitedError ||
    error instanceof RequestTimeoutError ||
    error instanceof ConflictError ||
    error instanceof InternalServerError ||
    error instanceof APIConnectionError ||
    error instanceof InvalidResponseError
  );
}

/**
 * What a failure says about the deployment that answered, for its circuit breaker:
 * - `trip`: the deployment itself is unusable (401 bad key, 403 incl. "resource temporarily blocked",
 *   404 no such deployment, an endpoint that does not resolve or refuses connections: deployment-fault.ts):
 *   take it out now; more requests would fail alike or need a human.
 * - `count`: it may be unhealthy (5xx, 408, timeouts, network errors, malformed bodies): a run of
 *   these takes it out for a while.
 * - `none`: the answer was about this request (a content refusal, another 400, a 429 which has its
 *   own back-off, an image of the wrong size or format).
 */
export function breakerEffect(error: unknown): 'trip' | 'count' | 'none' {
  if (deploymentFault(error)) return 'trip';
  if (error instanceof RateLimitedError || error instanceof ConflictError || error instanceof BadRequestError) return 'none';
  return isRetryable(error) ? 'count' : 'none';
}

/** A short, stable code for reports: the API's error code when it gave one, else the class. */
export function errorCode(error: unknown): string {
  if (isAPIError(error)) {
    if (error.code) return error.code;
    return error.status === undefined ? error.name : `http_${error.status}`;
  }
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'unknown_error';
}
