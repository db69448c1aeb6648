import type { RunRecord } from './run-store.js';

export type RunState = 'enqueuing' | 'running' | 'cancelling' | 'cancelled' | 'finished';

export function runState(run: RunRecord): RunState {
  const complete = run.enqueuedAt !== undefined && run.settled >= run.total;
  if (run.cancelledAt !== undefined) return complete ? 'cancelled' : 'cancelling';
  if (complete) return 'finished';
  return run.enqueuedAt === undefined ? 'enqueuing' : 'running';
}

/** A run still moving: its pages refresh, its ETA is shown. */
export function isRunOpen(run: RunRecord): boolean {
  const state = runState(run);
  return state === 'enqueuing' || state === 'running' || state === 'cancelling';
}

/** Images already resolved: stored now, found stored, or given up with their item. */
export function imagesResolved(run: RunRecord): number {
  return Object.values(run.locales).reduce((sum, locale) => sum + locale.images, 0);
}

/**
 * Images not yet resolved, over the pool's capacity: the time left if the quota is the limit (it
 * is). `imagesPerMinute`: default the capacity recorded when the run was enqueued.
 */
export function etaMs(run: RunRecord, imagesPerMinute = run.imagesPerMinute): number | undefined {
  if (imagesPerMinute <= 0) return undefined;
  return (Math.max(0, run.imagesPlanned - imagesResolved(run)) / imagesPerMinute) * 60_000;
}
