import { html, type SafeHtml } from '../html.js';
import type { RunState } from '../../runs/run-state.js';

export function stateBadge(state: RunState, failures: number): SafeHtml {
  return html`<span class="state state-${state}" data-state="${state}">${state}</span>${failures > 0 && html` <span class="state state-failures">${failures} failed</span>`}`;
}

/** A progress bar with its figures beside it, e.g. `12/19` (a native <progress>: no inline style, so the CSP can forbid it). */
export function progressBar(done: number, total: number, failures = 0): SafeHtml {
  return html`<progress${failures > 0 && html` class="has-failures"`} value="${Math.min(done, total)}" max="${Math.max(total, 1)}"></progress> <span class="mono">${done}/${total}</span>`;
}
