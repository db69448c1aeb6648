import { setTimeout as sleep } from 'node:timers/promises';
import { plural } from '../text/plural.js';
import { rideOutRedisOutage } from '../redis/connection-errors.js';
import { isRunComplete, type RunRecord, type RunStore } from '../runs/run-store.js';
import type { Progress } from './progress.js';

/** Reads the run, riding out a Redis restart with a word on the progress line while it lasts. */
export async function readRun(store: RunStore, runId: string, progress?: Progress): Promise<RunRecord | undefined> {
  return rideOutRedisOutage(() => store.get(runId), {
    onWaiting: (downForMs) => progress?.update(`Redis is not answering (${Math.round(downForMs / 1000)} s); waiting for it to come back`),
  });
}

export interface WaitForRunOptions {
  /** Asked now and then: a warning to print once (e.g. that no worker serves the queue), or undefined. */
  unserved?: () => Promise<string | undefined>;
}

/** How often `unserved` is asked, in polls of 250 ms: every 5 s. */
const UNSERVED_EVERY_POLLS = 20;

/** Polls the run until every item has settled (or `stop()` says to give up), showing progress. */
export async function waitForRun(store: RunStore, runId: string, progress: Progress, stop: () => boolean | Promise<boolean> = () => false, options: WaitForRunOptions = {}): Promise<RunRecord> {
  let warned = false;
  for (let poll = 0; ; poll++) {
    if (options.unserved && !warned && poll % UNSERVED_EVERY_POLLS === 0) {
      const warning = await options.unserved().catch(() => undefined);
      if (warning) {
        progress.done(`warning: ${warning}`);
        warned = true;
      }
    }
    const run = await readRun(store, runId, progress);
    if (!run) throw new Error(`run ${runId} disappeared from Redis`);
    if (isRunComplete(run) || (await stop())) {
      progress.done(`${run.settled}/${plural(run.total, 'job')} done`);
      return run;
    }
    progress.update(`${run.settled}/${plural(run.total, 'job')} done: ${plural(run.imagesCreated, 'image')} created, ${run.imagesExisting} already stored, ${run.itemsFailed} failed`);
    await sleep(250);
  }
}

/**
 * The worker that finished the run writes its report to storage a moment later, after the contact
 * sheets (a few CPU-seconds of image work): on a busy machine that took longer than 5 s, and `run`
 * then printed no storage location although the report was there. Wait for it on the condition, up
 * to 30 s; a finished run whose report never comes only prints later, and one whose finisher said it
 * will not write one (RunRecord.reportNotWritten) is not waited for.
 */
export async function waitForReportBlob(store: RunStore, run: RunRecord, timeoutMs = 30_000): Promise<RunRecord> {
  const deadline = Date.now() + timeoutMs;
  let latest = run;
  while (!latest.reportBlob && !latest.reportNotWritten && Date.now() < deadline) {
    await sleep(100);
    latest = (await readRun(store, run.id)) ?? latest;
  }
  return latest;
}
