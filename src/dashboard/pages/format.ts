import { html, type SafeHtml } from '../html.js';
import type { RunState } from '../../runs/run-state.js';
import type { LocaleProgress } from '../../runs/run-store.js';

export function stateBadge(state: RunState, failures: number): SafeHtml {
  return html`<span class="state state-${state}" data-state="${state}">${state}</span>${failures > 0 && html` <span class="state state-failures">${failures} failed</span>`}`;
}

/** A progress bar with its figures beside it, e.g. `12/19` (a native <progress>: no inline style, so the CSP can forbid it). */
export function progressBar(done: number, total: number, failures = 0): SafeHtml {
  return html`<progress${failures > 0 && html` class="has-failures"`} value="${Math.min(done, total)}" max="${Math.max(total, 1)}"></progress> <span class="mono">${done}/${total}</span>`;
}

const SEGMENTS = [
  ['created', 'created'],
  ['existing', 'already stored'],
  ['imagesFailed', 'failed'],
  ['imagesCancelled', 'cancelled'],
] as const;

/**
 * A locale's images as a stacked bar: made now, found stored, failed, cancelled, and the rest still to
 * do, each its own colour, so a cancelled or failing locale never looks complete. Inline SVG with
 * presentation attributes only (no inline style), so the CSP holds. Runs recorded before the counts
 * were kept apart fall back to the plain bar.
 */
export function localeProgressBar(progress: LocaleProgress): SafeHtml {
  if (progress.created === undefined) return progressBar(progress.images, progress.planned, progress.itemsFailed);
  const total = Math.max(progress.planned, progress.images, 1);
  let x = 0;
  const rects = SEGMENTS.map(([field, label]) => {
    const count = progress[field] ?? 0;
    const width = (count / total) * 100;
    const rect = count > 0 ? html`<rect class="seg-${field}" x="${x.toFixed(2)}" width="${width.toFixed(2)}" height="8"><title>${count} ${label}</title></rect>` : '';
    x += width;
    return rect;
  });
  const pending = Math.max(0, progress.planned - progress.images);
  const words = [
    `${progress.created} created`,
    progress.existing ? `${progress.existing} stored` : '',
    progress.imagesFailed ? `${progress.imagesFailed} failed` : '',
    progress.imagesCancelled ? `${progress.imagesCancelled} cancelled` : '',
    pending ? `${pending} pending` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return html`<svg class="segbar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="${words}"><rect class="seg-pending" width="100" height="8"></rect>${rects}</svg> <span class="mono seg-words">${words}</span>`;
}
