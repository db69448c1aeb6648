import { describe, expect, it } from 'vitest';
import { MAX_TRANSIENT_DELAY_MS, decideTransientRetry } from '../../src/queue/transient-retry.js';

const WINDOW = { maxTransientMs: 1_800_000, backoffMs: 10_000 };

describe("transient failures are bounded by the item's time, not by a count", () => {
  it("the first failure starts the item's window and waits the first backoff", () => {
    expect(decideTransientRetry({ since: undefined, retries: 0 }, { ...WINDOW, now: 5_000 })).toEqual({ action: 'retry', delayMs: 10_000, since: 5_000, retries: 1 });
  });

  it('keeps retrying far beyond any attempt count while the window lasts, the delay doubling up to its cap', () => {
    const decision = decideTransientRetry({ since: 0, retries: 40 }, { ...WINDOW, now: 60_000 });
    expect(decision).toEqual({ action: 'retry', delayMs: MAX_TRANSIENT_DELAY_MS, since: 0, retries: 41 });
    expect(decideTransientRetry({ since: 0, retries: 3 }, { ...WINDOW, now: 1_000 })).toMatchObject({ action: 'retry', delayMs: 80_000 });
  });

  it("never waits past the end of the window, and fails once the item's time is up", () => {
    expect(decideTransientRetry({ since: 0, retries: 10 }, { ...WINDOW, now: 1_790_000 })).toMatchObject({ action: 'retry', delayMs: 10_000 });
    expect(decideTransientRetry({ since: 0, retries: 11 }, { ...WINDOW, now: 1_800_000 })).toEqual({ action: 'fail', elapsedMs: 1_800_000 });
  });
});
