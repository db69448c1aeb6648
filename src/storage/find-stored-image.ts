import type { ImageJobData } from '../queue/image-job.js';
import { imageBlobName } from './blob-name.js';
import type { BlobStore } from './blob-store.js';

/**
 * Which variants of a job are already stored, under the name the job asks for or under the other
 * layout of the same image (with or without the model folder, blob-name.ts): a run that names its
 * models finds the images an earlier run made without naming them, and the other way round, so the
 * same image (same hash) is never paid for twice. A variant found under the other name takes that
 * name in `names`. Returns, per variant in `names`' order, whether it is stored.
 */
export async function findStoredImages(blobStore: Pick<BlobStore, 'exists'>, data: ImageJobData, names: Map<number, string>): Promise<boolean[]> {
  return Promise.all(
    [...names.entries()].map(async ([variant, name]) => {
      if (await blobStore.exists(name)) return true;
      const other = imageBlobName({ ...data, variant, format: data.request.format, modelInBlobName: !data.modelInBlobName });
      if (other === name || !(await blobStore.exists(other))) return false;
      names.set(variant, other);
      return true;
    }),
  );
}
