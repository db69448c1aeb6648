import type { Queue } from 'bullmq';
import type { ImageJobData } from '../queue/image-job.js';
import { outcomeCounts } from './outcome-counts.js';
import type { ReportRow } from './report-row.js';
import type { RunStore } from './run-store.js';

/** Job states in which nothing has started, so nothing has been paid for. */
const PENDING = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

export interface CancelResult {
  cancelled: number;
  /** Items already running or finished: they end as they would have. */
  leftRunning: number;
}

/**
 * Stops what has not started: every pending item of the run is settled in it as `cancelled`, and its
 * job removed unless another run also waits for it. Items in flight finish (they may already have
 * been paid for); a job a worker takes in the meantime is simply left to finish.
 */
export async function cancelRun(deps: { queue: Queue<ImageJobData>; runStore: RunStore }, runId: string, now: number): Promise<CancelResult> {
  await deps.runStore.markCancelled(runId, now);
  let cancelled = 0;
  let leftRunning = 0;
  for await (const jobId of deps.runStore.items(runId)) {
    const job = await deps.queue.getJob(jobId);
    const state = job ? await job.getState() : 'unknown';
    if (!job || !PENDING.has(state)) {
      leftRunning += 1;
      continue;
    }
    const row: ReportRow = {
      id: job.data.messageId, locale: job.data.locale, variant: '', status: 'cancelled', blobName: '', url: '', errorCode: 'cancelled', errorMessage: 'cancelled before it started',
      attempts: 0, line: job.data.line, model: job.data.model, deployment: '', size: job.data.request.size, requestedSize: job.data.requestedSize ?? job.data.request.size, requestId: '',
    };
    const counts = outcomeCounts({ locale: job.data.locale, variants: job.data.request.n, created: 0, existing: 0, cancelled: true });
    if (!(await deps.runStore.cancelItem(runId, jobId, row, counts))) continue;
    cancelled += 1;
    if ((await deps.runStore.waitingRuns(jobId)) === 0) {
      // Nobody else waits for it. A worker may have locked it a moment ago: then it runs and is
      // recorded by no run, which costs one image at most.
      await job.remove().catch(() => undefined);
    }
  }
  return { cancelled, leftRunning };
}
