import { describe, expect, it } from 'vitest';
import { decideStallRecovery } from '../../src/queue/stall-recovery.js';

const WINDOW = { maxTransientMs: 1_800_000 };

describe("recoveries from dead workers are bounded by the item's time, not by a count", () => {
  it('an item that never stalled records nothing', () => {
    expect(decideStallRecovery({ stalledCount: 0, since: undefined }, { ...WINDOW, now: 5_000 })).toEqual({ action: 'none' });
  });

  it("the first recovery starts the item's window", () => {
    expect(decideStallRecovery({ stalledCount: 1, since: undefined }, { ...WINDOW, now: 5_000 })).toEqual({ action: 'continue', since: 5_000, first: true });
  });

  it("goes on far beyond BullMQ's old count of 2 while the window lasts, and fails once the item's time is up", () => {
    expect(decideStallRecovery({ stalledCount: 40, since: 0 }, { ...WINDOW, now: 1_800_000 })).toEqual({ action: 'continue', since: 0, first: false });
    expect(decideStallRecovery({ stalledCount: 3, since: 0 }, { ...WINDOW, now: 1_800_001 })).toEqual({ action: 'fail', elapsedMs: 1_800_001 });
  });
});
