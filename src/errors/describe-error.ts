import { scrubText } from '../logging/redaction.js';

/**
 * An error in one line for a message or a probe's body: `HTTP 403 AuthorizationFailure: first line`
 * (the HTTP status of a storage RestError when `withStatus`, the Node/SDK code, the first line of the
 * message), with any credential it quotes (a SAS in a URL, a key) censored. Not for logs, which keep
 * the whole error (and redact it line by line).
 */
export function describeError(error: unknown, options: { withStatus?: boolean } = {}): string {
  if (!(error instanceof Error)) return scrubText(String(error));
  const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
  const status = options.withStatus && 'statusCode' in error && typeof error.statusCode === 'number' ? `HTTP ${error.statusCode} ` : '';
  return scrubText(`${status}${code}${error.message.split('\n')[0] ?? ''}`);
}
