import { setTimeout as sleep } from 'node:timers/promises';
import { rideOutRedisOutage } from '../redis/connection-errors.js';
import { isRunComplete, type RunRecord, type RunStore } from '../runs/run-store.js';
import type { Progress } from './progress.js';

/** Reads the run, riding out a Redis restart with a word on the progress line while it lasts. */
export async function readRun(store: RunStore, runId: string, progress?: Progress): Promise<RunRecord | undefined> {
  return rideOutRedisOutage(() => store.get(runId), {
    onWaiting: (downForMs) => progress?.update(`Redis is not answering (${Math.round(downForMs / 1000)} s); waiting for it to come back`),
  });
}

/** Polls the run until every item has settled (or `stop()` says to give up), showing progress. */
export async function waitForRun(store: RunStore, runId: string, progress: Progress, stop: () => boolean = () => false): Promise<RunRecord> {
  for (;;) {
    const run = await readRun(store, runId, progress);
    if (!run) throw new Error(`run ${runId} disappeared from Redis`);
    if (isRunComplete(run) || stop()) {
      progress.done(`${run.settled}/${run.total} jobs done`);
      return run;
    }
    progress.update(`${run.settled}/${run.total} jobs done: ${run.imagesCreated} images created, ${run.imagesExisting} already stored, ${run.itemsFailed} failed`);
    await sleep(250);
  }
}

/** The worker that finished the run writes its report to storage a moment later; wait briefly for it. */
export async function waitForReportBlob(store: RunStore, run: RunRecord, timeoutMs = 5_000): Promise<RunRecord> {
  const deadline = Date.now() + timeoutMs;
  let latest = run;
  while (!latest.reportBlob && Date.now() < deadline) {
    await sleep(100);
    latest = (await readRun(store, run.id)) ?? latest;
  }
  return latest;
}
