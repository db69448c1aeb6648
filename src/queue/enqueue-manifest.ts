import { basename } from 'node:path';
import type { Queue } from 'bullmq';
import { InputError } from '../errors/polyglyph-error.js';
import { formatIssue } from '../manifest/manifest-issue.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { readManifest } from '../manifest/read-manifest.js';
import { validateManifest, type ManifestSummary } from '../manifest/validate-manifest.js';
import type { RunStore } from '../runs/run-store.js';
import type { ImageJobData } from './image-job.js';
import { itemJobs, type JobContext, type PlannedJob } from './item-jobs.js';
import { sha256File } from './sha256-file.js';

export interface EnqueueManifestOptions extends Omit<JobContext, 'manifest'> {
  manifestPath: string;
  defaults: ManifestDefaults;
  /** Jobs per addBulk round trip. Default 500. */
  chunkSize?: number;
  /** Called after each chunk with the number of jobs enqueued so far. */
  onProgress?: (jobsEnqueued: number) => void;
  now?: () => number;
}

export interface EnqueueResult {
  runId: string;
  summary: ManifestSummary;
  jobs: number;
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
  const summary = await validateManifest(options.manifestPath, options.defaults);
  if (summary.errors > 0) throw new ManifestInvalidError(summary);

  const manifest = basename(options.manifestPath);
  await deps.runStore.create({ id: options.runId, manifest, manifestSha256: await sha256File(options.manifestPath), startedAt: now() });

  const chunkSize = options.chunkSize ?? 500;
  const context: JobContext = { ...options, manifest };
  let chunk: PlannedJob[] = [];
  let jobs = 0;
  const flush = async (): Promise<void> => {
    await deps.runStore.attach(options.runId, chunk.map((job) => job.opts.jobId));
    await deps.queue.addBulk(chunk);
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
    chunk.push(...itemJobs(event.item, context));
    if (chunk.length >= chunkSize) await flush();
  }
  if (chunk.length > 0) await flush();
  await deps.runStore.markEnqueued(options.runId, now());
  return { runId: options.runId, summary, jobs };
}
