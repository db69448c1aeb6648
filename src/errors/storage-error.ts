import { RestError } from '@azure/storage-blob';
import { publicBlobUrl } from '../storage/public-blob-url.js';
import { PolyglyphError, ServiceUnavailableError } from './polyglyph-error.js';

/**
 * A blob storage operation that got no answer within POLYGLYPH_STORAGE_TIMEOUT_MS (the SDK's own
 * retries included): a storage endpoint that accepts connections and never answers ends here instead
 * of hanging. Transient: the queue retries the job, as for any storage failure.
 */
export class StorageTimeoutError extends Error {
  readonly code = 'storage_timeout';

  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`blob storage did not answer ${operation} within ${timeoutMs} ms (POLYGLYPH_STORAGE_TIMEOUT_MS)`, options);
    this.name = 'StorageTimeoutError';
  }
}

/**
 * The one-line error for a storage account that cannot be used at start-up: refused or unreachable,
 * no answer in time, or the credentials refused. Says what, where and how to fix on a single line
 * (no hint line, no RestError dump), exit 2.
 */
export function storageUnusable(error: unknown, url: string): PolyglyphError {
  if (error instanceof PolyglyphError) return error;
  const where = publicBlobUrl(url);
  if (error instanceof StorageTimeoutError) {
    return new ServiceUnavailableError(
      `blob storage at ${where} did not answer within ${error.timeoutMs} ms: check that the account URL in AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_ACCOUNT_URL is right and reachable (or raise POLYGLYPH_STORAGE_TIMEOUT_MS)`,
      { cause: error },
    );
  }
  if (error instanceof RestError && (error.statusCode === 401 || error.statusCode === 403)) {
    return new ServiceUnavailableError(
      `blob storage at ${where} refused the credentials (HTTP ${error.statusCode}${error.code ? ` ${error.code}` : ''}): check the account key in AZURE_STORAGE_CONNECTION_STRING, or the role assignment for Entra ID`,
      { cause: error },
    );
  }
  const reason =
    error instanceof RestError
      ? [error.statusCode ? `HTTP ${error.statusCode}` : undefined, error.code].filter(Boolean).join(' ') || firstLine(error.message)
      : firstLine(error instanceof Error ? error.message : String(error));
  return new ServiceUnavailableError(
    `cannot reach blob storage at ${where} (${reason}): check AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_ACCOUNT_URL and that the account (or Azurite) is running`,
    { cause: error },
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
