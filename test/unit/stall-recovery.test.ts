import { describe, expect, it } from 'vitest';
import { decideStallRecovery } from '../../src/queue/stall-recovery.js';

const WINDOW = { maxTransientMs: 1_800_000 };

describe("recoveries from dead workers are bounded by the item's time, not by a count", () => {
  it('an item that never stalled records nothing', () => {
    expect(decideStallRecovery({ stalledCount: 0, since: undefined }, { ...WINDOW, now: 5_000 })).toEqual({ action: 'none' });
  });

  it("the first recovery starts the item's window", () => {
    expect(decideStallRecovery({ stalledCount: 1, since: undefined }, { ...WINDOW, now: 5_000 })).toEqual({ action: 'continue', since: 5_000, first: true, fresh: true });
  });

  it("goes on far beyond BullMQ's old count of 2 while the window lasts, and fails once the item's time is up", () => {
    expect(decideStallRecovery({ stalledCount: 40, since: 0 }, { ...WINDOW, now: 1_800_000 })).toEqual({ action: 'continue', since: 0, first: false, fresh: true });
    expect(decideStallRecovery({ stalledCount: 3, since: 0 }, { ...WINDOW, now: 1_800_001 })).toEqual({ action: 'fail', elapsedMs: 1_800_001 });
  });

  // Every later attempt of a recovered item (a retry after a 500, a 429's hold) carries BullMQ's stall
  // counter unchanged: one soak logged 4,667 "taken up again" for 50 kills.
  it('a recovery is new only when the stall count grew since the one recorded', () => {
    expect(decideStallRecovery({ stalledCount: 2, since: 0, seen: 2 }, { ...WINDOW, now: 60_000 })).toEqual({ action: 'continue', since: 0, first: false, fresh: false });
    expect(decideStallRecovery({ stalledCount: 3, since: 0, seen: 2 }, { ...WINDOW, now: 60_000 })).toEqual({ action: 'continue', since: 0, first: false, fresh: true });
  });
});
