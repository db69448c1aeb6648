import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import { duplicateRedis, type RedisClient } from '../src/redis/connection.js';
import type { Logger } from 'pino';
import { generateImage, invalidJobCounts, invalidJobRow, row, settleItem, type GenerateImageDeps, type GenerateImageResult } from './generate-image.js';
import { isAPIError } from '../src/errors/api-error.js';
import { InvalidJobError } from '../src/errors/invalid-job-error.js';
import { errorCode } from '../src/errors/retry-policy.js';
import type { Config } from '../src/config/settings.js';
import type { DeploymentPool } from '../src/deployments/deployment-pool.js';
import { MemoryBudget } from '../src/images/memory-budget.js';
import { GENERATE_IMAGE_JOB, type ImageJobData } from '../src/queue/image-job.js';
import { parseImageJobData } from '../src/queue/image-job-schema.js';
import { UNBOUNDED_STALLED_COUNT } from '../src/queue/stall-recovery.js';
import { outcomeCounts } from '../src/runs/outcome-counts.js';
import { publishFinishedRun } from '../src/runs/publish-report.js';
import type { RunStore } from '../src/runs/run-store.js';
import type { BlobStore } from '../src/storage/blob-store.js';
import type { ImageStaging } from '../src/storage/image-staging.js';
import type { MasterStore } from '../src/sources/master-store.js';
import type { WorkerMetrics } from '../src/observability/worker-metrics.js';
import type { CheckTextResult } from './check-text.js';
import { ConfigError } from '../src/errors/polyglyph-error.js';
import { createWorkerObservability } from '../src/observability/worker-observability.js';
import { closeAll, type WorkerRuntime } from '../src/runtime/runtime.js';
import type { InProcessWorkers } from '../src/cli/worker-host.js';
import { CHECK_TEXT_JOB, textCheckJobId, type TextCheckJobData } from '../src/queue/text-check-job.js';
import { createTextCheckWorker, secondOpinionFor, textReaderFor } from './text-check-worker.js';
import { regenerateSettings } from '../src/cli/regenerate-settings.js';

export interface ImageWorkerDeps {
  connection: RedisClient;
  queue: Queue<ImageJobData>;
  pool: DeploymentPool;
  blobStore: BlobStore;
  staging: ImageStaging;
  masters: MasterStore;
  runStore: RunStore;
  logger: Logger;
  /** This process's metrics; none when absent. */
  metrics?: WorkerMetrics | undefined;
  /**
   * The text-check queue: stored images are read back there before their item settles. None: items
   * settle at once, unchecked. Named apart from the runtime's `textCheckQueue` so that a worker built
   * from a runtime hands over only when asked to (a queue nobody serves would hold every run open).
   */
  checkTextOn?: Queue<TextCheckJobData> | undefined;
}

export interface ImageWorkerOptions {
  /** Image requests in flight in this process. */
  concurrency: number;
  prefix: string;
  /** How long an item may keep being answered 429 before it fails as `rate_limited`. Default 30 min. */
  maxRateLimitedMs?: number;
  /** How long an item may keep meeting transient API failures before it fails. Default 30 min. */
  maxTransientMs?: number;
  /** Image bytes this process may hold at once, in MB (memory-budget.ts); 0 or absent: no budget. */
  memoryBudgetMb?: number;
  /**
   * Job lock and stalled-job check, in ms: the jobs of a worker that died (kill -9, lost machine) go
   * back to the queue within about twice this. Default 30 s.
   */
  stalledIntervalMs?: number;
  /** The deployments come from a deployments file (diagnoses then name its fields). */
  deploymentsFromFile?: boolean;
}

/** The worker options a configuration asks for. */
export function imageWorkerOptions(config: Config): ImageWorkerOptions {
  return {
    concurrency: config.concurrency,
    prefix: config.queuePrefix,
    maxRateLimitedMs: config.maxRateLimitedMs,
    maxTransientMs: config.maxTransientMs,
    memoryBudgetMb: config.memoryBudgetMb,
    stalledIntervalMs: config.stalledIntervalMs,
    deploymentsFromFile: config.deploymentsFile !== undefined,
  };
}

/**
 * A BullMQ Worker for generate-image jobs. Quotas are enforced by the DeploymentPool (image-weighted,
 * shared by all workers); BullMQ's limiter is configured only because BullMQ honours `queue.rateLimit()`
 * solely when a limiter is set, so its own job count is made too high to ever bind.
 */
export function createImageWorker(deps: ImageWorkerDeps, options: ImageWorkerOptions): Worker<ImageJobData, GenerateImageResult> {
  const jobDeps: GenerateImageDeps = {
    pool: deps.pool,
    blobStore: deps.blobStore,
    staging: deps.staging,
    masters: deps.masters,
    runStore: deps.runStore,
    logger: deps.logger,
    rateLimit: (ms) => deps.queue.rateLimit(ms),
    maxRateLimitedMs: options.maxRateLimitedMs ?? 1_800_000,
    maxTransientMs: options.maxTransientMs ?? 1_800_000,
    memory: options.memoryBudgetMb ? MemoryBudget.fromMegabytes(options.memoryBudgetMb) : undefined,
    onRunsFinished: (runIds) => publishReports(deps, runIds),
    metrics: deps.metrics,
    ...(deps.checkTextOn ? { textCheck: handOver(deps.checkTextOn) } : {}),
    deploymentsFromFile: options.deploymentsFromFile,
  };
  // BullMQ treats a connection it is handed as shared and leaves it open on close(): this one is the
  // worker's own (blocking fetches need maxRetriesPerRequest: null), so it is closed with the worker.
  const connection = duplicateRedis(deps.connection, { maxRetriesPerRequest: null });
  connection.on('error', (error) => deps.logger.debug({ err: error }, 'worker redis connection error'));
  const worker = new Worker<ImageJobData, GenerateImageResult>(
    deps.queue.name,
    async (job, token) => {
      if (job.name !== GENERATE_IMAGE_JOB) throw new InvalidJobError(job.id, `unknown job type '${job.name}' (this queue runs ${GENERATE_IMAGE_JOB} jobs)`);
      return generateImage(job, jobDeps, token);
    },
    {
      connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      limiter: { max: 1_000_000, duration: 1_000 },
      lockDuration: options.stalledIntervalMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // A job is recovered from however many crashed workers while its own time lasts (stall-recovery.ts,
      // POLYGLYPH_MAX_TRANSIENT_MS), not failed by BullMQ after a count; staging means a recovery costs
      // no second generation.
      maxStalledCount: UNBOUNDED_STALLED_COUNT,
      autorun: true,
    },
  );
  worker.on('error', (error) => deps.logger.error({ err: error }, 'worker error'));
  worker.on('closed', () => connection.disconnect());
  // Failures BullMQ decides without the processor (a job that stalled too often, an error on the
  // final attempt outside the API call) still settle the item, or its run would wait forever.
  worker.on('failed', (job, error) => {
    if (!job) return;
    countFailure(job, error, deps.metrics);
    if (job.finishedOn === undefined) return;
    void settleFailure(job, error, deps).catch((settleError: unknown) => deps.logger.error({ err: settleError, jobId: job.id }, 'could not record a failed item'));
  });
  return worker;
}

/**
 * Counts what the job could not count itself: a retry of a failure outside the image API (storage,
 * RedisClient; the job counts API retries, with their deployment), and an item failed by BullMQ rather
 * than by the job (its final attempt threw, or it stalled too often; the job's own failures are
 * UnrecoverableErrors it has counted).
 */
function countFailure(job: Job<ImageJobData>, error: Error, metrics: WorkerMetrics | undefined): void {
  if (!metrics) return;
  if (job.finishedOn === undefined) {
    if (!isAPIError(error)) metrics.retrying({ code: errorCode(error), deployment: '' });
  } else if (!(error instanceof UnrecoverableError)) {
    metrics.itemFailed({ code: errorCode(error) });
  }
}

async function settleFailure(job: Job<ImageJobData>, error: Error, deps: ImageWorkerDeps): Promise<void> {
  const onRunsFinished = (runIds: string[]): Promise<void> => publishReports(deps, runIds);
  // Malformed data (the processor refused it as invalid_job): its fields cannot be trusted to exist.
  if (!parseImageJobData(job.data).ok) {
    await settleItem(job, { runStore: deps.runStore, onRunsFinished }, [invalidJobRow(job.data, deps, error.message, job.attemptsMade)], invalidJobCounts(job.data), { onlyIfUnsettled: true });
    return;
  }
  const failed = row(job.data, deps, { variant: '', status: 'failed', blobName: '', attempts: job.attemptsMade, errorCode: errorCode(error), errorMessage: error.message });
  const counts = outcomeCounts({ locale: job.data.locale, variants: job.data.request.n, created: 0, existing: 0, failed: true, errorCode: failed.errorCode });
  await settleItem(job, { runStore: deps.runStore, onRunsFinished }, [failed], counts, { onlyIfUnsettled: true });
}

/** This worker finished these runs (the claim in Redis is exclusive): it writes their reports to storage. */
async function publishReports(deps: ImageWorkerDeps, runIds: string[]): Promise<void> {
  for (const runId of runIds) await publishFinishedRun(deps, runId);
}

/** A started image worker and its observability, closed together. */
export interface StartedImageWorker extends InProcessWorkers {
  worker: Worker<ImageJobData, GenerateImageResult> | Worker<TextCheckJobData, CheckTextResult>;
  /** Closes without waiting for in-flight jobs; they return to the queue through stalled-job recovery. */
  closeNow(): Promise<void>;
}

/**
 * The image worker of a `polyglyph worker` or `run` process over an open runtime: metrics and the
 * health server (POLYGLYPH_HEALTH_PORT) included, the server started once the worker can take jobs.
 * Closing leaves the runtime open: its owner closes it.
 */
export async function startImageWorkers(runtime: WorkerRuntime, config: Config, logger: Logger): Promise<StartedImageWorker> {
  // --queues: the API-bound image queue, the CPU-bound text-check queue, or both (the default).
  const queues = new Set(config.workerQueues.split(',').map((name) => name.trim()));
  const reader = queues.has('text-check') ? textReaderFor(config) : undefined;
  if (!queues.has('images') && !reader) {
    throw new ConfigError('--queues text-check with --text-check off leaves this worker nothing to do', { hint: 'serve --queues images, or set --text-check tesseract or vision' });
  }
  const observability = createWorkerObservability(runtime, config, logger);
  const checker =
    runtime.textCheckQueue && reader
      ? createTextCheckWorker({ ...runtime, queue: runtime.textCheckQueue, reader, secondOpinion: secondOpinionFor(config), config, regenerate: regenerateSettings(config, runtime.queue) })
      : undefined;
  // Stored images go to the text-check queue (served here or by `worker --queues text-check` elsewhere).
  const images = queues.has('images') ? createImageWorker({ ...runtime, metrics: observability.metrics, checkTextOn: runtime.textCheckQueue }, imageWorkerOptions(config)) : undefined;
  // The health server watches the image worker, or the text-check worker where it stands alone.
  const worker = (images ?? checker)!;
  const stop = (force: boolean): Promise<void> => closeAll([async () => images?.close(force), async () => checker?.close(force), () => observability.close()], logger);
  try {
    await worker.waitUntilReady();
    await observability.serve(worker);
  } catch (error) {
    await stop(true);
    throw error;
  }
  return { worker, close: () => stop(false), closeNow: () => stop(true) };
}

/**
 * Hands an item's stored images to the text-check queue, which settles the item once they are read:
 * the image worker is free for its next API call at once, the run waits for the checks.
 */
function handOver(queue: Queue<TextCheckJobData>): NonNullable<GenerateImageDeps['textCheck']> {
  return async (job, rows, counts) => {
    const itemJobId = String(job.id);
    const data: TextCheckJobData = { v: 1, itemJobId, image: job.data, rows, counts };
    await queue.add(CHECK_TEXT_JOB, data, { jobId: textCheckJobId(itemJobId), attempts: 3, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: true, removeOnFail: true });
  };
}
