/**
 * An item whose worker stopped holding it (SIGKILL, a crash, a lock lost to a stalled event loop) goes
 * back to the queue through BullMQ's stalled-job check. BullMQ would fail it after `maxStalledCount`
 * such recoveries, with an UnrecoverableError that says nothing of the item: under rolling restarts
 * (a soak kills a worker every 20 s) an item can be recovered three times without any fault of its own
 * and be lost. So BullMQ's count is set out of reach (image-worker.ts; text-check-worker.ts for the
 * checks that settle items) and the item's own time bounds the recoveries instead, as it bounds
 * transient API failures (transient-retry.ts): it fails, with a code and a message, only when it has
 * kept being recovered for longer than POLYGLYPH_MAX_TRANSIENT_MS.
 * Images generated before a stall are staged in Redis, so a recovery never pays for them again.
 */

/** BullMQ's `maxStalledCount` for image and text-check workers: never reached, the time bound below decides. */
export const UNBOUNDED_STALLED_COUNT = 1_000_000;

export type StallRecoveryDecision =
  /** Never stalled: nothing to record. */
  | { action: 'none' }
  /**
   * Recovered: go on; `since` is when the first recovery was seen (store it when it is new). `fresh`:
   * stalled again since the count last recorded (`seen`): log it and record the count, once. Later
   * attempts of the same item (a retry after a 500, a 429's hold) carry BullMQ's counter unchanged and
   * are not new recoveries; logging each of them made one soak report 4,667 recoveries for 50 kills.
   */
  | { action: 'continue'; since: number; first: boolean; fresh: boolean }
  /** Recovered for too long: fail the item. */
  | { action: 'fail'; elapsedMs: number };

/**
 * What to do with an item taken up after `stalledCount` stalls (BullMQ's `job.stalledCounter`),
 * first seen recovered at `since` (undefined: this is the first time), `seen` stalls recorded so far.
 */
export function decideStallRecovery(state: { stalledCount: number; since: number | undefined; seen?: number | undefined }, options: { now: number; maxTransientMs: number }): StallRecoveryDecision {
  if (state.stalledCount <= 0) return { action: 'none' };
  const fresh = state.stalledCount > (state.seen ?? 0);
  if (state.since === undefined) return { action: 'continue', since: options.now, first: true, fresh };
  const elapsedMs = options.now - state.since;
  if (elapsedMs > options.maxTransientMs) return { action: 'fail', elapsedMs };
  return { action: 'continue', since: state.since, first: false, fresh };
}
