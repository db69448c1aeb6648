/**
 * Errors of the image API, one class per kind of failure, built by one factory from the HTTP
 * response (as openai-node's `APIError.generate` does). Call sites use the type guards and
 * `isRetryable()` (retry-policy.ts), never raw status numbers.
 */
import { isRecord } from '../json/is-record.js';

/** Error `code`s Azure and OpenAI use for a prompt or an output refused by content filtering. */
const CONTENT_POLICY_CODES = new Set(['contentfilter', 'content_filter', 'content_policy_violation', 'moderation_blocked', 'responsibleaipolicyviolation']);

export interface APIErrorFields {
  status: number | undefined;
  code: string | undefined;
  requestId: string | undefined;
  /** How long the service asked us to wait, from `retry-after-ms` or `Retry-After`. */
  retryAfterMs: number | undefined;
  /** The service's own verdict from `x-should-retry: true|false` (openai-node obeys it first); undefined without one. */
  shouldRetry?: boolean | undefined;
  /** The parsed error body, when there was one. */
  body?: unknown;
}

export class APIError extends Error {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly shouldRetry: boolean | undefined;
  readonly body: unknown;

  constructor(message: string, fields: APIErrorFields, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.status = fields.status;
    this.code = fields.code;
    this.requestId = fields.requestId;
    this.retryAfterMs = fields.retryAfterMs;
    this.shouldRetry = fields.shouldRetry;
    this.body = fields.body;
  }

  /** Maps a non-2xx response to the most specific class. */
  static generate(status: number, body: unknown, headers: Headers): APIError {
    const detail = errorDetail(body);
    const fields: APIErrorFields = {
      status,
      code: detail.code,
      requestId: headers.get('apim-request-id') ?? headers.get('x-request-id') ?? undefined,
      retryAfterMs: parseRetryAfter(headers),
      shouldRetry: parseShouldRetry(headers),
      body,
    };
    const message = `${status}${detail.code ? ` ${detail.code}` : ''}: ${detail.message ?? 'no error message in the response'}`;
    if (status === 400 && isContentPolicyCode(detail)) return new ContentPolicyError(message, fields);
    if (status === 400) return new BadRequestError(message, fields);
    if (status === 401) return new AuthenticationError(message, fields);
    if (status === 403) return new PermissionDeniedError(message, fields);
    if (status === 404) return new NotFoundError(message, fields);
    if (status === 408) return new RequestTimeoutError(message, fields);
    if (status === 409) return new ConflictError(message, fields);
    if (status === 429) return new RateLimitedError(message, fields);
    if (status >= 500) return new InternalServerError(message, fields);
    return new APIError(message, fields);
  }
}

export class BadRequestError extends APIError {}
/** The prompt or the image was refused by content filtering. Never retried: it would be refused again. */
export class ContentPolicyError extends BadRequestError {}
export class AuthenticationError extends APIError {}
/** 403: includes "resource has been temporarily blocked", which needs a human. */
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class RequestTimeoutError extends APIError {}
export class ConflictError extends APIError {}
/** 429: a quota signal, not a failure of the item. */
export class RateLimitedError extends APIError {}
export class InternalServerError extends APIError {}

/** The request got no usable answer: network failure, timeout, or a body that is not what the API returns. */
export class APIConnectionError extends APIError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, { status: undefined, code: options?.code ?? 'connection_error', requestId: undefined, retryAfterMs: undefined }, options);
  }
}
export class APITimeoutError extends APIConnectionError {
  constructor(timeoutMs: number) {
    super(`the image API did not answer within ${timeoutMs} ms`, { code: 'timeout' });
  }
}
/** 2xx with a body or an image that does not match what was asked (malformed JSON, wrong size or format). */
export class InvalidResponseError extends APIError {
  constructor(message: string, code: string, requestId?: string) {
    super(message, { status: undefined, code, requestId, retryAfterMs: undefined });
  }
}

export function isAPIError(error: unknown): error is APIError {
  return error instanceof APIError;
}
export function isRateLimited(error: unknown): error is RateLimitedError {
  return error instanceof RateLimitedError;
}

interface ErrorDetail {
  code: string | undefined;
  innerCode: string | undefined;
  message: string | undefined;
}

function errorDetail(body: unknown): ErrorDetail {
  const error = isRecord(body) && isRecord(body.error) ? body.error : isRecord(body) ? body : {};
  const inner = isRecord(error.inner_error) ? error.inner_error : isRecord(error.innererror) ? error.innererror : {};
  return {
    code: stringOrUndefined(error.code) ?? stringOrUndefined(error.type),
    innerCode: stringOrUndefined(inner.code),
    message: stringOrUndefined(error.message),
  };
}

function isContentPolicyCode(detail: ErrorDetail): boolean {
  return [detail.code, detail.innerCode].some((code) => code !== undefined && CONTENT_POLICY_CODES.has(code.toLowerCase()));
}

/** `x-should-retry: true|false`, as openai-node reads it (src/client.ts `shouldRetry`); anything else: no verdict. */
export function parseShouldRetry(headers: Headers): boolean | undefined {
  const value = headers.get('x-should-retry')?.trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** `retry-after-ms` (Azure, milliseconds) wins over `Retry-After` (seconds or an HTTP date). */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function stringOrUndefined(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
