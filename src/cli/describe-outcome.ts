import type { RunRecord } from '../runs/run-store.js';
import { plural } from '../text/plural.js';

/** "done in 12.3 s: 19 images created, 0 already stored, 0 items failed" — one line for a finished run. */
export function describeOutcome(run: RunRecord): string {
  const seconds = (((run.finishedAt ?? Date.now()) - run.startedAt) / 1000).toFixed(1);
  const cancelled = run.itemsCancelled > 0 ? `, ${run.itemsCancelled} cancelled` : '';
  return `done in ${seconds} s: ${plural(run.imagesCreated, 'image')} created, ${run.imagesExisting} already stored, ${plural(run.itemsFailed, 'item')} failed${cancelled}`;
}
