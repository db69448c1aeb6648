import type { RunRecord } from '../runs/run-store.js';

/** "done in 12.3 s: 19 images created, 0 already stored, 0 items failed" — one line for a finished run. */
export function describeOutcome(run: RunRecord): string {
  const seconds = (((run.finishedAt ?? Date.now()) - run.startedAt) / 1000).toFixed(1);
  const cancelled = run.itemsCancelled > 0 ? `, ${run.itemsCancelled} cancelled` : '';
  return `done in ${seconds} s: ${run.imagesCreated} images created, ${run.imagesExisting} already stored, ${run.itemsFailed} items failed${cancelled}`;
}
