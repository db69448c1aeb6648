import type { RunRecord } from '../runs/run-store.js';
import { plural } from '../text/plural.js';

/**
 * "done in 12.3 s: 19 images created, 0 already stored, 0 items failed" — one line for a finished run.
 *
 * @param since - when the command that waited began (`retry --wait`: its own start, not the run's, which
 * may be hours earlier); the run's start by default.
 */
export function describeOutcome(run: RunRecord, since = run.startedAt): string {
  const seconds = (((run.finishedAt ?? Date.now()) - since) / 1000).toFixed(1);
  const cancelled = run.itemsCancelled > 0 ? `, ${run.itemsCancelled} cancelled` : '';
  return `done in ${seconds} s: ${plural(run.imagesCreated, 'image')} created, ${run.imagesExisting} already stored, ${plural(run.itemsFailed, 'item')} failed${cancelled}`;
}
