import type { Logger } from 'pino';
import { partialGeneration } from '../image-api/partial-generation.js';
import type { ImageJobData } from '../queue/image-job.js';
import { imageBlobName } from './blob-name.js';
import type { BlobStore } from './blob-store.js';
import { findStoredImages } from './find-stored-image.js';
import type { ImageStaging } from './image-staging.js';

/**
 * After a failed image call: stages the images it delivered before failing (a provider that makes one
 * request per image attaches them to the error, partial-generation.ts), under the names of the
 * variants the call was for, so the retry uploads them and generates only the rest. Those variants
 * are the ones neither stored nor staged, in order, exactly as the job chose them. Never throws:
 * the original failure is what the caller handles.
 */
export async function stagePartialImages(
  deps: { blobStore: Pick<BlobStore, 'exists'>; staging: Pick<ImageStaging, 'get' | 'put'> },
  data: ImageJobData,
  facts: { deployment: string; startedAt: number },
  error: unknown,
  log: Logger,
): Promise<void> {
  const partial = partialGeneration(error);
  if (!partial || partial.images.length === 0) return;
  try {
    const variants = Array.from({ length: data.request.n }, (_, index) => index + 1);
    const names = new Map(variants.map((variant) => [variant, imageBlobName({ ...data, variant, format: data.request.format })]));
    const stored = await findStoredImages(deps.blobStore, data, names);
    const missing: number[] = [];
    for (const [index, variant] of variants.entries()) {
      if (!stored[index] && !(await deps.staging.get(names.get(variant)!))) missing.push(variant);
    }
    for (const [index, image] of partial.images.entries()) {
      const variant = missing[index];
      if (variant === undefined) break;
      await deps.staging.put(names.get(variant)!, { image, facts: { deployment: facts.deployment, requestId: partial.requestId, usage: partial.usage, generateMs: partial.durationMs, startedAt: facts.startedAt } });
    }
    log.warn({ variants: missing.slice(0, partial.images.length) }, 'kept the images delivered before the failure (staged); a retry uploads them and generates only the rest');
  } catch (stageError) {
    log.error({ err: stageError }, 'could not stage the images delivered before a failure; a retry generates them again');
  }
}
