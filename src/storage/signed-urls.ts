import { BlobSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters, type UserDelegationKey } from '@azure/storage-blob';
import { ConfigError } from '../errors/polyglyph-error.js';
import { describeError } from '../errors/describe-error.js';
import type { BlobStore } from './blob-store.js';

/**
 * The longest a signed URL may live: Azure's limit on a user delegation key (7 days), applied to
 * account-key signatures too, since a link handed around should not outlive a week.
 */
export const MAX_SIGNED_URL_MS = 7 * 24 * 60 * 60 * 1000;

/** Signs one blob name into a URL that can read that blob, and nothing else, until it expires. */
export type ReadUrlSigner = (blobName: string) => string;

/**
 * Short-lived, read-only, per-blob SAS URLs for `report --signed-urls`: what a user asks for when
 * a report's links must open without an Azure login. Signed with the account key (connection string
 * with AccountKey) or a user delegation key (Entra ID, AZURE_STORAGE_ACCOUNT_URL; needs the
 * "Storage Blob Delegator" action, included in Storage Blob Data Reader/Contributor). A connection
 * string holding a SAS cannot sign: a clear error, never the configured SAS passed on.
 */
export async function readUrlSigner(store: BlobStore, validForMs: number, now: Date = new Date()): Promise<ReadUrlSigner> {
  if (!(validForMs > 0) || validForMs > MAX_SIGNED_URL_MS) {
    throw new ConfigError(`--signed-urls: expected a duration up to 7 days, got ${Math.round(validForMs / 1000)} s`, { hint: 'e.g. --signed-urls 24h' });
  }
  const expiresOn = new Date(now.getTime() + validForMs);
  const containerName = store.container.containerName;
  const base = (blobName: string): string => store.url(blobName);
  const values = (blobName: string) => ({ containerName, blobName, permissions: BlobSASPermissions.parse('r'), expiresOn });
  const credential = store.container.credential;
  if (credential instanceof StorageSharedKeyCredential) {
    return (blobName) => `${base(blobName)}?${generateBlobSASQueryParameters(values(blobName), credential).toString()}`;
  }
  if (store.service && isTokenCredential(credential)) {
    let key: UserDelegationKey;
    try {
      key = (await store.service.getUserDelegationKey(now, expiresOn)) as UserDelegationKey;
    } catch (error) {
      throw new ConfigError(`--signed-urls: could not get a user delegation key from the storage account (${describeError(error, { withStatus: true })})`, {
        hint: 'give this identity a role with Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey (e.g. Storage Blob Data Reader), or use a connection string with an account key',
      });
    }
    const accountName = store.service.accountName;
    return (blobName) => `${base(blobName)}?${generateBlobSASQueryParameters(values(blobName), key, accountName).toString()}`;
  }
  throw new ConfigError('--signed-urls needs a storage credential that can sign, and the configured one cannot (a connection string with a SharedAccessSignature, or no credential)', {
    hint: 'use a connection string with AccountKey, or AZURE_STORAGE_ACCOUNT_URL with an Entra ID identity allowed to get a user delegation key; without --signed-urls the report lists plain URLs',
  });
}

function isTokenCredential(credential: unknown): boolean {
  return typeof credential === 'object' && credential !== null && typeof (credential as { getToken?: unknown }).getToken === 'function';
}
