import { basename, resolve } from 'node:path';
import type { Queue } from 'bullmq';
import { InputError } from '../errors/polyglyph-error.js';
import { formatIssue } from '../manifest/manifest-issue.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import type { ManifestItem } from '../manifest/manifest-item.js';
import { readManifest } from '../manifest/read-manifest.js';
import { validateManifest, type ManifestSummary } from '../manifest/validate-manifest.js';
import type { RunStore } from '../runs/run-store.js';
import type { ImageJobData } from './image-job.js';
import type { JobContext, PlannedJob } from './item-jobs.js';
import { modelItemJobs } from './model-jobs.js';
import type { DeploymentSpec } from '../deployments/deployment-spec.js';
import { checkManifestModelsServed } from '../deployments/run-models.js';
import { sha256File } from './sha256-file.js';
import type { MasterInfo, MasterStore } from '../sources/master-store.js';
import { sourceKey } from '../sources/source-ref.js';

export interface EnqueueManifestOptions extends Omit<JobContext, 'manifest' | 'masters'> {
  manifestPath: string;
  defaults: ManifestDefaults;
  /** Jobs per addBulk round trip. Default 500. */
  chunkSize?: number;
  /** Called after each chunk with the number of jobs enqueued so far. */
  onProgress?: (jobsEnqueued: number) => void;
  /** Who is enqueueing, for `status` (see describeOrigin). */
  origin?: string;
  /** `--regenerate-on-mismatch` and `--max-cost`, kept with the run for the check workers that regenerate. */
  regenerateOnMismatch?: number | undefined;
  maxCostUsd?: number | undefined;
  /** The pool's capacity in images per minute, kept with the run for ETAs. */
  imagesPerMinute?: number;
  /**
   * Runs once the manifest is known to be valid, before anything is enqueued: the place to print the
   * plan and refuse a run over budget (throw). Returns the estimated cost to keep with the run.
   */
  beforeEnqueue?: () => Promise<{ estimatedCostMicros?: number | undefined }>;
  /** Sees every valid row during the validation pass (the plan tallies them there, saving a pass). */
  onValidItem?: (item: ManifestItem) => void;
  /** Fetches master creatives (once per run) for rows with a `source_image`; required when there are any. */
  masterStore?: MasterStore | undefined;
  /** The pool: when given, models the manifest names must each be served by one of them (else nothing is enqueued). */
  deployments?: readonly DeploymentSpec[] | undefined;
  now?: () => number;
}

export interface EnqueueResult {
  runId: string;
  summary: ManifestSummary;
  jobs: number;
  /** Every item had already settled when enqueueing ended (all images existed): the caller finished the run. */
  finished: boolean;
}

/** Thrown when the manifest has errors; nothing was enqueued. */
export class ManifestInvalidError extends InputError {
  constructor(readonly summary: ManifestSummary) {
    super(`${summary.file}: ${summary.errors} error${summary.errors === 1 ? '' : 's'}; nothing was enqueued`, {
      hint: 'fix the lines listed above (`polyglyph validate` checks a manifest without enqueueing)',
    });
  }
}

/**
 * Validates the whole manifest first (a streaming pass), then streams it again and enqueues one job
 * per (message, locale) in chunks, waiting for Redis after each so memory stays flat whatever the
 * manifest's size. A manifest with any error enqueues nothing.
 */
export async function enqueueManifest(deps: { queue: Queue<ImageJobData>; runStore: RunStore }, options: EnqueueManifestOptions): Promise<EnqueueResult> {
  const now = options.now ?? Date.now;
  const summary = await validateManifest(options.manifestPath, options.defaults, options.onValidItem ? { onItem: options.onValidItem } : {});
  if (summary.errors > 0) throw new ManifestInvalidError(summary);
  if (options.deployments) checkManifestModelsServed(summary.file, summary, options.deployments);
  const plan = (await options.beforeEnqueue?.()) ?? {};
  // A run that names its models is recorded with them, e.g. `gpt-image-2, MAI-Image-2e`.
  const named = Object.keys(summary.modelLines);

  const manifest = basename(options.manifestPath);
  await deps.runStore.create({
    id: options.runId,
    manifest,
    manifestPath: resolve(options.manifestPath),
    manifestSha256: await sha256File(options.manifestPath),
    origin: options.origin ?? 'unknown',
    model: named.length > 0 ? named.join(', ') : options.model,
    imagesPerMinute: options.imagesPerMinute ?? 0,
    imagesByLocale: summary.imagesByLocale,
    estimatedCostMicros: plan.estimatedCostMicros,
    startedAt: now(),
    regenerateOnMismatch: options.regenerateOnMismatch,
    maxCostUsd: options.maxCostUsd,
    destination: options.destination,
  });
  const jobs = await enqueueItems(deps, { ...options, manifest }, () => true);
  const finished = await deps.runStore.markEnqueued(options.runId, now());
  return { runId: options.runId, summary, jobs, finished };
}

/**
 * Streams the manifest and enqueues one job per (message, locale) of the items `wanted` accepts, in
 * chunks, attaching each chunk to the run before adding it and waiting for Redis after each so
 * memory stays flat. Returns the number of jobs. Also used by `retry` for a run's failed items.
 */
export async function enqueueItems(
  deps: { queue: Queue<ImageJobData>; runStore: RunStore },
  options: Omit<EnqueueManifestOptions, 'manifestPath'> & {
    manifestPath: string;
    manifest: string;
    /** Retry: old outcomes do not count, every item runs again. */ fresh?: boolean;
    /** Changes an item before its jobs are planned (a re-render's extra variant). */ transformItem?: (item: ManifestItem) => ManifestItem;
  },
  wanted: (job: PlannedJob) => boolean,
): Promise<number> {
  const chunkSize = options.chunkSize ?? 500;
  const masters = new Map<string, MasterInfo>();
  const context: JobContext = { ...options, masters };
  let chunk: PlannedJob[] = [];
  let jobs = 0;
  const flush = async (): Promise<void> => {
    // Items that settled moments ago gave the run their outcome: adding their jobs again would pay twice.
    const settled = new Set(
      await deps.runStore.attach(
        options.runId,
        chunk.map((job) => job.opts.jobId),
        { fresh: options.fresh ?? false },
      ),
    );
    await deps.queue.addBulk(settled.size === 0 ? chunk : chunk.filter((job) => !settled.has(job.opts.jobId)));
    jobs += chunk.length;
    chunk = [];
    options.onProgress?.(jobs);
  };
  for await (const event of readManifest(options.manifestPath, options.defaults)) {
    if (event.type === 'issue') {
      // The validation pass saw none; the file changed between the two passes.
      if (event.issue.severity === 'error') throw new InputError(`${formatIssue(event.issue)} (the manifest changed while it was being enqueued)`);
      continue;
    }
    if (event.type !== 'item') continue;
    // A re-render asks one item for one more variant (rerender-item.ts); everything else as read.
    const item = options.transformItem ? options.transformItem(event.item) : event.item;
    const source = item.sourceImage;
    if (source && !masters.has(sourceKey(source))) {
      if (!options.masterStore)
        throw new InputError(`line ${event.item.line}: rows with a source_image need blob storage configured for the master creatives`, {
          hint: 'set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL',
        });
      masters.set(sourceKey(source), await options.masterStore.resolve(source, item.line));
    }
    chunk.push(...modelItemJobs(item, context, options.defaults.providers).filter(wanted));
    if (chunk.length >= chunkSize) await flush();
  }
  if (chunk.length > 0) await flush();
  return jobs;
}
