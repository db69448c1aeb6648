import type { Queue } from 'bullmq';
import type { ImageJobData } from '../queue/image-job.js';
import { outcomeCounts, type OutcomeCounts } from './outcome-counts.js';
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
    const { row, counts } = cancelledOutcome(job.data, 'cancelled before it started');
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

/** The report row and counters of an item taken out of a run before it ran (again). */
function cancelledOutcome(data: ImageJobData, message: string): { row: ReportRow; counts: OutcomeCounts } {
  const row: ReportRow = {
    id: data.messageId,
    locale: data.locale,
    variant: '',
    status: 'cancelled',
    blobName: '',
    url: '',
    errorCode: 'cancelled',
    errorMessage: message,
    attempts: 0,
    line: data.line,
    model: data.model,
    deployment: '',
    size: data.request.size,
    requestedSize: data.requestedSize ?? data.request.size,
    requestId: '',
  };
  return { row, counts: outcomeCounts({ locale: data.locale, variants: data.request.n, created: 0, existing: 0, cancelled: true }) };
}

/**
 * A job about to run again (re-queued after a 429 or a held deployment, delayed after a transient
 * failure, taken up after a stall) for runs that were all cancelled since it started: cancelRun left
 * it alone because it was in flight, but another request now would be paid for nobody. Settles it as
 * cancelled in those runs; `ended` false when a run that was not cancelled waits for it (it runs for
 * that one), or none does (a job added by hand). `finished`: runs this finished (write their reports).
 */
export async function cancelIfAbandoned(runStore: RunStore, jobId: string, data: ImageJobData): Promise<{ ended: boolean; finished: string[] }> {
  const waiting = await runStore.waitingRunIds(jobId);
  if (waiting.length === 0) return { ended: false, finished: [] };
  const runs = await Promise.all(waiting.map((runId) => runStore.get(runId)));
  if (runs.some((run) => run !== undefined && run.cancelledAt === undefined)) return { ended: false, finished: [] };
  const { row, counts } = cancelledOutcome(data, 'cancelled before it was tried again');
  const finished: string[] = [];
  for (const runId of waiting) {
    if ((await runStore.cancelItem(runId, jobId, row, counts)) === 'finished') finished.push(runId);
  }
  // A run that attached in the meantime (not cancelled) still waits: the job runs for it.
  return { ended: (await runStore.waitingRuns(jobId)) === 0, finished };
}
