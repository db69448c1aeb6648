import { describe, expect, it } from 'vitest';
import { describeOutcome } from '../../src/cli/describe-outcome.js';
import type { RunRecord } from '../../src/runs/run-store.js';

const run = { startedAt: 1_000_000, finishedAt: 1_000_000 + 3_600_000, imagesCreated: 19, imagesExisting: 0, itemsFailed: 1, itemsCancelled: 0 } as RunRecord;

describe('describeOutcome', () => {
  it('times a run from its start', () => {
    expect(describeOutcome(run)).toBe('done in 3600.0 s: 19 images created, 0 already stored, 1 item failed');
  });

  // `retry --wait` an hour after the run printed "done in 3615.0 s" for a 15 s retry.
  it('times a retry from when the retry began', () => {
    expect(describeOutcome(run, run.finishedAt! - 15_000)).toBe('done in 15.0 s: 19 images created, 0 already stored, 1 item failed');
  });
});
