/**
 * When an image request fails for a reason that may pass (a 5xx, a timeout, a network error, a
 * malformed answer), the item is tried again later, for as long as its own time lasts
 * (POLYGLYPH_MAX_TRANSIENT_MS since its first such failure), without using one of its attempts: under
 * a storm the deployment keeps answering most requests, and counting faults would fail items that a
 * few more minutes would have finished. A deployment that is down is the circuit breaker's business
 * (it is taken out of the pool, and the queue waits for it), not the item's.
 */
export interface TransientRetryState {
  /** When this item first met a transient failure (epoch ms); undefined: this is its first. */
  since: number | undefined;
  /** Transient failures this item has met before this one. */
  retries: number;
}

export interface TransientRetryOptions {
  now: number;
  /** POLYGLYPH_MAX_TRANSIENT_MS: how long an item may keep meeting transient failures. */
  maxTransientMs: number;
  /** First delay; doubles with every transient failure of the item (the job's own backoff). */
  backoffMs: number;
}

/** Longest pause between two tries of one item, so a long window is still probed regularly. */
export const MAX_TRANSIENT_DELAY_MS = 5 * 60_000;

export type TransientRetryDecision = { action: 'retry'; delayMs: number; since: number; retries: number } | { action: 'fail'; elapsedMs: number };

/** Try again after `delayMs` (state to keep: `since`, `retries`), or fail: the item's time is up. */
export function decideTransientRetry(state: TransientRetryState, options: TransientRetryOptions): TransientRetryDecision {
  const since = state.since ?? options.now;
  const elapsedMs = options.now - since;
  const remainingMs = options.maxTransientMs - elapsedMs;
  if (remainingMs <= 0) return { action: 'fail', elapsedMs };
  const exponential = options.backoffMs * 2 ** Math.min(state.retries, 30);
  // Never past the window's end: the last try is made before the item's time is up, not after.
  const delayMs = Math.max(0, Math.min(exponential, MAX_TRANSIENT_DELAY_MS, remainingMs));
  return { action: 'retry', delayMs, since, retries: state.retries + 1 };
}
