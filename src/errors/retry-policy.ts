import {
  APIConnectionError,
  ConflictError,
  InternalServerError,
  InvalidResponseError,
  RateLimitedError,
  RequestTimeoutError,
  isAPIError,
} from './api-error.js';

/**
 * The one place that decides whether a failed image request is worth another attempt.
 * Retried: 408, 409, 429, 5xx, network failures, timeouts, malformed or mismatched responses.
 * Not retried: content-policy refusals and every other 4xx (400, 401, 403, 404): the same request
 * would fail the same way, and each attempt may cost money.
 */
export function isRetryable(error: unknown): boolean {
  if (!isAPIError(error)) return false;
  return (
    error instanceof RateLimitedError ||
    error instanceof RequestTimeoutError ||
    error instanceof ConflictError ||
    error instanceof InternalServerError ||
    error instanceof APIConnectionError ||
    error instanceof InvalidResponseError
  );
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
