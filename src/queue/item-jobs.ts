import type { JobsOptions } from 'bullmq';
import type { ImageRequest } from '../image-api/types.js';
import { COMPRESSIBLE_FORMATS } from '../images/image-options.js';
import type { ManifestItem } from '../manifest/manifest-item.js';
import { buildPrompt } from '../prompts/build-prompt.js';
import type { MasterInfo } from '../sources/master-store.js';
import { sourceKey } from '../sources/source-ref.js';
import { GENERATE_IMAGE_JOB, imageInputSha256, imageJobId, type ImageJobData } from './image-job.js';

export interface JobContext {
  runId: string;
  manifest: string;
  model: string;
  attempts: number;
  backoffMs: number;
  /**
   * Texts translated before the run (`run --translate`) for cells the manifest left empty, by
   * `id \0 locale`: rendered verbatim, as a supplied `text:<locale>` cell would be.
   */
  translations?: ReadonlyMap<string, { text: string; model: string }>;
  /** Masters of the run's rows with a source image, by sourceKey (fetched once per run by the producer). */
  masters?: ReadonlyMap<string, MasterInfo>;
  /**
   * Where the run's images go (storage/destination.ts), when known: part of every job id. A run's
   * later jobs (retry, re-render) take the one recorded with the run, not their own shell's.
   */
  destination?: string | undefined;
}

export interface PlannedJob {
  name: typeof GENERATE_IMAGE_JOB;
  data: ImageJobData;
  opts: JobsOptions & { jobId: string };
}

/** Fans a manifest row out into one job per locale, each asking for the row's variants. */
export function itemJobs(item: ManifestItem, context: JobContext): PlannedJob[] {
  return item.locales.map((locale) => {
    const translated = item.texts[locale] === undefined ? context.translations?.get(`${item.id}\u0000${locale}`) : undefined;
    const text = item.texts[locale] ?? translated?.text;
    const source = item.sourceImage && context.masters?.get(sourceKey(item.sourceImage));
    if (item.sourceImage && !source) throw new Error(`line ${item.line}: the source image was not fetched before planning its jobs`);
    const prompt = buildPrompt({ message: item.message, locale, text, direction: item.prompt, edit: source !== undefined });
    const request: Omit<ImageRequest, 'n'> = {
      prompt,
      size: item.size,
      quality: item.quality,
      format: item.format,
      // output_compression exists for the lossy formats only (the client would not send it for png).
      outputCompression: COMPRESSIBLE_FORMATS.includes(item.format) ? item.compression : undefined,
      ...(item.background !== undefined ? { background: item.background } : {}),
      ...(item.moderation !== undefined ? { moderation: item.moderation } : {}),
    };
    const inputSha256 = imageInputSha256({ model: context.model, campaign: item.campaign, messageId: item.id, locale, request, sourceSha256: source?.sha256 });
    return {
      name: GENERATE_IMAGE_JOB,
      data: {
        v: 1,
        runId: context.runId,
        manifest: context.manifest,
        line: item.line,
        messageId: item.id,
        locale,
        campaign: item.campaign,
        message: item.message,
        text,
        ...(translated ? { textSource: 'translated' as const, translationModel: translated.model } : {}),
        direction: item.prompt,
        model: context.model,
        request: { ...request, n: item.variants },
        requestedSize: item.requestedSize,
        inputSha256,
        ...(source ? { source } : {}),
      },
      opts: {
        jobId: imageJobId(inputSha256, item.variants, context.destination),
        attempts: context.attempts,
        // Jitter spreads retries of a burst of failures instead of sending them back together.
        backoff: { type: 'exponential', delay: context.backoffMs, jitter: 0.5 },
        // The run's report rows are the record; a finished job is removed so the same inputs can be
        // enqueued again later (the blobs then make it a no-op).
        removeOnComplete: true,
        removeOnFail: true,
      },
    };
  });
}
