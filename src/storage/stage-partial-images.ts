import type { Logger } from 'pino';
import { partialGeneration } from '../image-api/partial-generation.js';
import type { ImageStaging } from './image-staging.js';

/**
 * After a failed image call: stages the images it delivered before failing (a provider that makes one
 * request per image attaches them to the error, partial-generation.ts) under the blob names the call
 * was for, in order, so the retry uploads them and generates only the rest. Never throws: the
 * original failure is what the caller handles.
 */
export async function stagePartialImages(staging: Pick<ImageStaging, 'put'>, names: readonly string[], facts: { deployment: string; startedAt: number }, error: unknown, log: Logger): Promise<void> {
  const partial = partialGeneration(error);
  if (!partial || partial.images.length === 0) return;
  const kept = partial.images.slice(0, names.length);
  try {
    for (const [index, image] of kept.entries()) {
      await staging.put(names[index]!, {
        image,
        facts: { deployment: facts.deployment, requestId: partial.requestId, usage: partial.usage, generateMs: partial.durationMs, startedAt: facts.startedAt },
      });
    }
    log.warn({ images: kept.length, of: names.length }, 'kept the images delivered before the failure (staged); a retry uploads them and generates only the rest');
  } catch (stageError) {
    log.error({ err: stageError }, 'could not stage the images delivered before a failure; a retry generates them again');
  }
}
