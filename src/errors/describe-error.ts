/**
 * An error in one line for a message or a probe's body: `HTTP 403 AuthorizationFailure: first line`
 * (the HTTP status of a storage RestError when `withStatus`, the Node/SDK code, the first line of the
 * message). Not for logs, which keep the whole error.
 */
export function describeError(error: unknown, options: { withStatus?: boolean } = {}): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
  const status = options.withStatus && 'statusCode' in error && typeof error.statusCode === 'number' ? `HTTP ${error.statusCode} ` : '';
  return `${status}${code}${error.message.split('\n')[0] ?? ''}`;
}
