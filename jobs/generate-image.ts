/**
 * generate-image: one (message, locale) -> `request.n` images in blob storage.
 *
 * Payload:      ImageJobData (src/queue/image-job.ts).
 * Side effects: one image API call for the variants whose blobs are missing; one image blob and one
 *               sidecar JSON per variant; the item's outcome settled into every run waiting for it.
 * Idempotency:  blob names derive from the inputs and uploads are create-only, so a job that runs
 *               twice (re-enqueued, stalled and recovered) finds its blobs and calls no API.
 * Retries:      429 and quota waits re-queue the job without using an attempt; 408/409/5xx, network
 *               errors, timeouts and malformed bodies retry with exponential backoff; content-policy
 *               refusals and other 4xx end the item at once (UnrecoverableError), code kept for the report.
 */
import { RateLimitError, UnrecoverableError, type Job } from 'bullmq';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { isRateLimited } from '../src/errors/api-error.js';
import { errorCode, isRetryable } from '../src/errors/retry-policy.js';
import type { ImageApi } from '../src/image-api/types.js';
import { CONTENT_TYPES } from '../src/images/image-options.js';
import type { ImageJobData } from '../src/queue/image-job.js';
import type { ImageQuota } from '../src/queue/image-quota.js';
import type { ReportRow } from '../src/runs/report-row.js';
import type { RunStore } from '../src/runs/run-store.js';
import { imageBlobName, sidecarBlobName } from '../src/storage/blob-name.js';
import type { BlobStore } from '../src/storage/blob-store.js';
import { imageMetadata, imageSidecar, imageTags } from '../src/storage/image-blob-fields.js';

/** Concurrent blob uploads per job. */
const UPLOAD_CONCURRENCY = 4;

export interface GenerateImageDeps {
  imageApi: ImageApi;
  blobStore: BlobStore;
  quota: ImageQuota;
  runStore: RunStore;
  /** Pauses the whole queue (every worker) for `ms`: BullMQ's manual rate limit. */
  rateLimit: (ms: number) => Promise<void>;
  logger: Logger;
  now?: () => number;
}

export interface GenerateImageResult {
  created: number;
  existing: number;
}

export async function generateImage(job: Job<ImageJobData>, deps: GenerateImageDeps): Promise<GenerateImageResult> {
  const data = job.data;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ runId: data.runId, jobId: job.id, messageId: data.messageId, locale: data.locale });
  const attempt = job.attemptsMade + 1;

  if (deps.imageApi.model !== data.model) {
    return failItem(job, deps, new UnrecoverableError(`job was enqueued for model '${data.model}' but this worker uses '${deps.imageApi.model}'`), 'model_mismatch', attempt);
  }

  const variants = Array.from({ length: data.request.n }, (_, index) => index + 1);
  const names = new Map(variants.map((variant) => [variant, imageBlobName({ ...data, variant, format: data.request.format })]));
  const present = await Promise.all(variants.map((variant) => deps.blobStore.exists(names.get(variant)!)));
  const missing = variants.filter((_, index) => !present[index]);
  const rows: ReportRow[] = [];

  for (const variant of variants.filter((v) => !missing.includes(v))) {
    await ensureSidecar(deps, data, variant, names.get(variant)!);
    rows.push(row(data, deps, { variant, status: 'exists', blobName: names.get(variant)!, attempts: 0 }));
  }

  if (missing.length > 0) {
    const reservation = await deps.quota.reserve(missing.length);
    if (!reservation.granted) {
      await deps.rateLimit(reservation.waitMs);
      throw new RateLimitError();
    }
    const startedAt = now();
    let generation;
    try {
      generation = await deps.imageApi.generate({ ...data.request, n: missing.length });
    } catch (error) {
      if (isRateLimited(error)) {
        // A 429 is the quota speaking: every worker waits, and no attempt is used.
        const waitMs = error.retryAfterMs ?? 10_000;
        log.warn({ waitMs, requestId: error.requestId }, 'image API rate limited; pausing the queue');
        await deps.quota.penalize(waitMs);
        await deps.rateLimit(waitMs);
        throw new RateLimitError();
      }
      const final = !isRetryable(error) || attempt >= (job.opts.attempts ?? 1);
      log.warn({ err: error, attempt, final, code: errorCode(error) }, 'image generation failed');
      if (!final) throw error;
      return failItem(job, deps, error, errorCode(error), attempt, rows);
    }
    const generateMs = now() - startedAt;

    // Variants upload side by side, a few at a time: ten 4K PNGs one after another would dominate the job.
    const limit = pLimit(UPLOAD_CONCURRENCY);
    const stored = await Promise.all(generation.images.map((image, index) => limit(async () => {
      const variant = missing[index]!;
      const name = names.get(variant)!;
      const uploadStarted = now();
      const outcome = await deps.blobStore.upload(name, image.bytes, {
        contentType: CONTENT_TYPES[image.format],
        metadata: imageMetadata(data, variant, image),
        tags: imageTags(data),
      });
      const uploadMs = now() - uploadStarted;
      await deps.blobStore.uploadJson(sidecarBlobName(name), imageSidecar(data, {
        variant,
        imageBlobName: name,
        image: { ...image, bytes: image.bytes.length, contentType: CONTENT_TYPES[image.format] },
        usage: generation.usage,
        requestId: generation.requestId,
        timings: { generateMs, uploadMs, startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(now()).toISOString() },
      }));
      return row(data, deps, { variant, status: outcome === 'created' ? 'created' : 'exists', blobName: name, attempts: attempt, requestId: generation.requestId, size: `${image.width}x${image.height}` });
    })));
    rows.push(...stored);
    log.info({ images: generation.images.length, generateMs, requestId: generation.requestId }, 'images stored');
  }

  rows.sort((a, b) => Number(a.variant) - Number(b.variant));
  const created = rows.filter((r) => r.status === 'created').length;
  await deps.runStore.settle(String(job.id), rows, { imagesCreated: created, imagesExisting: rows.length - created });
  return { created, existing: rows.length - created };
}

/** Settles the item as failed in every waiting run, then ends the job without further attempts. */
async function failItem(job: Job<ImageJobData>, deps: GenerateImageDeps, error: unknown, code: string, attempts: number, stored: ReportRow[] = []): Promise<never> {
  const message = error instanceof Error ? error.message : String(error);
  const failed = row(job.data, deps, { variant: '', status: 'failed', blobName: '', attempts, errorCode: code, errorMessage: message, requestId: (error as { requestId?: string }).requestId });
  await deps.runStore.settle(String(job.id), [...stored, failed], { itemsFailed: 1, imagesExisting: stored.length });
  throw error instanceof UnrecoverableError ? error : new UnrecoverableError(`${code}: ${message}`);
}

/** An image stored without its sidecar (a crash between the two uploads) gets one, with what is known. */
async function ensureSidecar(deps: GenerateImageDeps, data: ImageJobData, variant: number, name: string): Promise<void> {
  const sidecar = sidecarBlobName(name);
  if (await deps.blobStore.exists(sidecar)) return;
  await deps.blobStore.uploadJson(sidecar, imageSidecar(data, { variant, imageBlobName: name, recovered: true }));
}

export function row(data: ImageJobData, deps: Pick<GenerateImageDeps, 'blobStore'>, fields: Pick<ReportRow, 'variant' | 'status' | 'blobName' | 'attempts'> & Partial<ReportRow>): ReportRow {
  return {
    id: data.messageId,
    locale: data.locale,
    variant: fields.variant,
    status: fields.status,
    blobName: fields.blobName,
    url: fields.blobName ? deps.blobStore.url(fields.blobName) : '',
    errorCode: fields.errorCode ?? '',
    errorMessage: fields.errorMessage ?? '',
    attempts: fields.attempts,
    line: data.line,
    model: data.model,
    size: fields.size ?? data.request.size,
    requestId: fields.requestId ?? '',
  };
}
