import { Worker, type Queue } from 'bullmq';
import { duplicateRedis, type RedisClient } from '../src/redis/connection.js';
import type { Logger } from 'pino';
import { checkText, type CheckTextDeps, type CheckTextResult } from './check-text.js';
import type { Config } from '../src/config/settings.js';
import { CHECK_TEXT_JOB, type TextCheckJobData } from '../src/queue/text-check-job.js';
import { UNBOUNDED_STALLED_COUNT } from '../src/queue/stall-recovery.js';
import type { RunStore } from '../src/runs/run-store.js';
import type { BlobStore } from '../src/storage/blob-store.js';
import { parseMaxCer } from '../src/text-check/max-cer.js';
import type { TextReader } from '../src/text-check/text-reader.js';
import { TesseractReader } from '../src/text-check/tesseract-reader.js';
import { VisionReader } from '../src/text-check/vision-reader.js';
import { publishFinishedRun } from '../src/runs/publish-report.js';
import type { RegenerateSettings } from '../src/runs/regenerate-on-mismatch.js';

export interface TextCheckWorkerDeps {
  connection: RedisClient;
  queue: Queue<TextCheckJobData>;
  blobStore: BlobStore;
  runStore: RunStore;
  reader: TextReader;
  /** Reads the images `reader` flags a second time (secondOpinionFor). */
  secondOpinion?: TextReader | undefined;
  logger: Logger;
  config: Pick<Config, 'textCheckMaxCer' | 'textCheckConcurrency' | 'queuePrefix' | 'stalledIntervalMs' | 'maxTransientMs'>;
  /** `--regenerate-on-mismatch` (src/cli/regenerate-settings.ts); absent: flagged images stay as they are. */
  regenerate?: RegenerateSettings | undefined;
}

/** The engine the configuration asks for; undefined for `--text-check off`. */
export function textReaderFor(config: Config, options: { fetch?: typeof fetch } = {}): TextReader | undefined {
  if (config.textCheck === 'off') return undefined;
  if (config.textCheck === 'vision') return VisionReader.fromSettings(config, options);
  return new TesseractReader();
}

/**
 * The second engine for images Tesseract flags: with `--text-check tesseract` and a vision deployment
 * configured (POLYGLYPH_VISION_DEPLOYMENT and the endpoint), a flagged image is also transcribed by
 * the vision model and the reading nearer the expected text counts (read-and-score.ts). Only flagged
 * images cost a vision call. None otherwise.
 */
export function secondOpinionFor(config: Config, options: { fetch?: typeof fetch } = {}): TextReader | undefined {
  if (config.textCheck !== 'tesseract' || !config.visionDeployment || !config.endpoint) return undefined;
  return VisionReader.fromSettings(config, options);
}

/**
 * A BullMQ Worker for check-text jobs, on its own queue: OCR is CPU-bound, so these workers are scaled
 * by cores (`--text-check-concurrency`, `polyglyph worker --queues text-check`) apart from the
 * API-bound image workers, and a slow check never holds an image worker.
 */
export function createTextCheckWorker(deps: TextCheckWorkerDeps): Worker<TextCheckJobData, CheckTextResult> {
  const publishReports = async (runIds: string[]): Promise<void> => {
    for (const runId of runIds) await publishFinishedRun(deps, runId);
  };
  const jobDeps: CheckTextDeps = {
    blobStore: deps.blobStore,
    runStore: deps.runStore,
    reader: deps.reader,
    secondOpinion: deps.secondOpinion,
    maxCer: parseMaxCer(deps.config.textCheckMaxCer),
    logger: deps.logger,
    onRunsFinished: publishReports,
    regenerate: deps.regenerate,
    maxTransientMs: deps.config.maxTransientMs,
  };
  const connection = duplicateRedis(deps.connection, { maxRetriesPerRequest: null });
  connection.on('error', (error) => deps.logger.debug({ err: error }, 'text-check worker redis connection error'));
  const worker = new Worker<TextCheckJobData, CheckTextResult>(
    deps.queue.name,
    async (job) => {
      if (job.name !== CHECK_TEXT_JOB) throw new Error(`unknown job type '${job.name}'`);
      return checkText(job, jobDeps);
    },
    {
      connection,
      prefix: deps.config.queuePrefix,
      concurrency: deps.config.textCheckConcurrency,
      lockDuration: deps.config.stalledIntervalMs,
      stalledInterval: deps.config.stalledIntervalMs,
      // As for image items (image-worker.ts): a check is recovered from however many dead workers while
      // its own time lasts (stall-recovery.ts, POLYGLYPH_MAX_TRANSIENT_MS), not failed after a count.
      maxStalledCount: UNBOUNDED_STALLED_COUNT,
      autorun: true,
    },
  );
  worker.on('error', (error) => deps.logger.error({ err: error }, 'text-check worker error'));
  worker.on('closed', () => connection.disconnect());
  // A job that failed for good without the processor settling it (its last attempt threw, or it kept
  // being recovered for longer than its time): the item still settles, its images unchecked, or its
  // run would wait forever.
  worker.on('failed', (job, error) => {
    if (!job || job.finishedOn === undefined) return;
    const rows = job.data.rows.map((row) => (row.blobName && !row.textStatus ? { ...row, textStatus: 'error' } : row));
    void deps.runStore
      .settle(job.data.itemJobId, rows, job.data.counts, { onlyIfUnsettled: true })
      .then(async ({ finished }) => [...finished, ...(await releaseClaims(deps.runStore, job.data, error.message))])
      .then((finished) => (finished.length > 0 ? publishReports(finished) : undefined))
      .catch((settleError: unknown) => deps.logger.error({ err: settleError, jobId: job.id, cause: error.message }, 'could not settle an item whose text check failed'));
  });
  return worker;
}

/**
 * A regeneration the failed job claimed and never carried out is released as refused, or it would
 * hold the run open for good. Releasing an image never claimed, or released already, does nothing.
 * Returns the run when that finished it.
 */
export async function releaseClaims(runStore: RunStore, data: TextCheckJobData, reason: string): Promise<string[]> {
  for (const row of data.rows) {
    if (!row.blobName || row.variant === '') continue;
    const state = { blobName: row.blobName, id: row.id, locale: row.locale, model: row.model, variant: row.variant, refused: `the text check failed: ${reason}` };
    if (await runStore.releaseRegeneration(data.image.runId, state)) return [data.image.runId];
  }
  return [];
}
