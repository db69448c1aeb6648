import type { ReviewDecision } from '../runs/run-reviews.js';
import type { BlobStore } from './blob-store.js';

/**
 * Marks a stored image with a reviewer's decision where a DAM sees it: metadata `review` and the index
 * tag `review` (so `findBlobsByTags("campaign='spring' AND review='approved'")` finds the approved
 * assets). Both keep every other entry; metadata is written only if the blob did not change meanwhile.
 */
export async function markReview(store: BlobStore, blobName: string, decision: ReviewDecision): Promise<void> {
  const blob = store.container.getBlockBlobClient(blobName);
  const properties = await store.call(`reading ${blobName}`, (abortSignal) => blob.getProperties({ abortSignal }));
  await store.call(`marking ${blobName} as ${decision}`, (abortSignal) => blob.setMetadata({ ...properties.metadata, review: decision }, { abortSignal, conditions: { ifMatch: properties.etag } }));
  const tags = await store.call(`reading the tags of ${blobName}`, (abortSignal) => blob.getTags({ abortSignal }));
  await store.call(`tagging ${blobName} as ${decision}`, (abortSignal) => blob.setTags({ ...tags.tags, review: decision }, { abortSignal }));
}

/** A stored image's bytes and type, read with the store's own credentials (the dashboard never hands out a URL). */
export async function readImage(store: BlobStore, blobName: string): Promise<{ bytes: Buffer; contentType: string }> {
  const blob = store.container.getBlockBlobClient(blobName);
  const bytes = await store.call(`reading ${blobName}`, (abortSignal) => blob.downloadToBuffer(undefined, undefined, { abortSignal }));
  const properties = await store.call(`reading ${blobName}`, (abortSignal) => blob.getProperties({ abortSignal }));
  return { bytes, contentType: properties.contentType ?? 'application/octet-stream' };
}
