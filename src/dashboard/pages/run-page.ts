import { formatUsd } from '../../cost/money.js';
import { plural } from '../../text/plural.js';
import { formatDuration } from '../../cost/duration.js';
import { getLocale, LOCALE_CODES, type LocaleCode } from '../../locales/registry.js';
import type { ReportRow } from '../../runs/report-row.js';
import { etaMs, isRunOpen, runState } from '../../runs/run-state.js';
import type { RunRecord } from '../../runs/run-store.js';
import { RECORDED_PACE, type EtaPace } from '../../runs/workers-pace.js';
import { html, type SafeHtml } from '../html.js';
import { formatTimestamp } from '../../runs/format-time.js';
import { localeProgressBar, stateBadge } from './format.js';
import { layout } from './layout.js';

export interface RunPageData {
  run: RunRecord;
  /** The first failed rows, and how many there are in all. */
  failures: { rows: ReportRow[]; total: number };
  cost: { estimatedMicros: number | null; actualMicros: number | null };
  /** The pace the running workers keep (their registered quotas); absent: the capacity recorded at enqueue. */
  pace?: EtaPace | undefined;
}

/** One run: its facts, a bar per locale, its failures by code and the failed items themselves. */
export function runPage({ run, failures, cost, pace }: RunPageData): SafeHtml {
  const state = runState(run);
  const imagesPerMinute = pace?.imagesPerMinute ?? run.imagesPerMinute;
  const eta = isRunOpen(run) ? etaMs(run, imagesPerMinute) : undefined;
  const id = encodeURIComponent(run.id);
  const body = html`<h1>Run <span class="mono">${run.id}</span> ${stateBadge(state, run.itemsFailed)}</h1>
<dl class="facts">
<dt>Manifest</dt><dd>${run.manifest} <span class="muted mono">sha256 ${run.manifestSha256.slice(0, 16)}…</span></dd>
<dt>Origin</dt><dd>${run.origin}</dd>
<dt>Model</dt><dd>${run.model}</dd>
<dt>Started</dt><dd class="mono">${formatTimestamp(run.startedAt)}</dd>
<dt>Finished</dt><dd class="mono">${formatTimestamp(run.finishedAt)}${run.cancelledAt !== undefined && html` (cancelled ${formatTimestamp(run.cancelledAt)})`}</dd>
${eta !== undefined && html`<dt>Time left</dt><dd>about ${formatDuration(eta)} at ${imagesPerMinute} images/min <span class="muted">(${pace?.from ?? RECORDED_PACE})</span></dd>`}
<dt>Items</dt><dd>${run.settled}/${run.total} settled; <b>${run.imagesCreated}</b> images created, ${run.imagesExisting} already stored; <span class="${run.itemsFailed > 0 ? 'failed' : ''}">${plural(run.itemsFailed, 'item')} failed</span>${run.itemsCancelled > 0 && `, ${run.itemsCancelled} cancelled`}</dd>
<dt>Cost</dt><dd>estimated ${cost.estimatedMicros === null ? 'unknown' : formatUsd(cost.estimatedMicros)}; from usage ${cost.actualMicros === null ? 'unknown' : formatUsd(cost.actualMicros)} <span class="muted">(${run.tokens.textInput + run.tokens.imageInput} input + ${run.tokens.output} output tokens)</span></dd>
<dt>Images</dt><dd><a id="gallery-link" href="/runs/${id}/gallery">Review gallery</a>: every image by message and locale, to approve or reject</dd>
<dt>Report</dt><dd>${run.reportBlob ? html`<code>${run.reportBlob}</code> in storage; ` : ''}<a href="/runs/${id}/report.csv">CSV</a> · <a href="/runs/${id}/report.json">JSON</a></dd>
</dl>
<h2>Progress per locale</h2>
${localeTable(run)}
<h2>Failures</h2>
${failures.total === 0 ? html`<p class="empty">No failures.</p>` : html`${codeTable(run.failuresByCode)}${failureTable(failures)}`}`;
  return layout({ title: `Run ${run.id}`, body, refreshSeconds: isRunOpen(run) ? 5 : undefined });
}

function localeTable(run: RunRecord): SafeHtml {
  const locales = Object.entries(run.locales).sort(([a], [b]) => a.localeCompare(b));
  return html`<table id="locales">
<thead><tr><th>Locale</th><th>Images resolved</th><th class="num">Failed items</th><th class="num">Text checked</th><th class="num">Needs review</th><th class="num">Mean CER</th></tr></thead>
<tbody>${locales.map(([code, p]) => html`<tr data-locale="${code}"><td>${localeName(code)}</td><td>${localeProgressBar(p)}</td><td class="num${p.itemsFailed > 0 ? ' failed' : ''}">${p.itemsFailed}</td><td class="num text-checked">${p.textChecked ?? 0}</td><td class="num needs-review${p.textNeedsReview ? ' failed' : ''}">${p.textNeedsReview ?? 0}</td><td class="num mean-cer">${p.meanCer === undefined ? '-' : p.meanCer.toFixed(2)}</td></tr>`)}</tbody>
</table>`;
}

function codeTable(byCode: Record<string, number>): SafeHtml {
  const codes = Object.entries(byCode).sort(([, a], [, b]) => b - a);
  return html`<table id="failure-codes">
<thead><tr><th>Code</th><th class="num">Items</th></tr></thead>
<tbody>${codes.map(([code, count]) => html`<tr><td><code>${code}</code></td><td class="num">${count}</td></tr>`)}</tbody>
</table>`;
}

function failureTable(failures: RunPageData['failures']): SafeHtml {
  return html`<table id="failures">
<thead><tr><th>Item</th><th>Locale</th><th class="num">Line</th><th>Code</th><th>Message</th><th class="num">Attempts</th><th>Deployment</th><th>Request id</th></tr></thead>
<tbody>${failures.rows.map((row) => html`<tr><td class="mono">${row.id}</td><td>${row.locale}</td><td class="num">${row.line}</td><td><code class="failed">${row.errorCode}</code></td><td>${row.errorMessage}</td><td class="num">${row.attempts}</td><td>${row.deployment || '-'}</td><td class="mono">${row.requestId || '-'}</td></tr>`)}</tbody>
</table>
${failures.total > failures.rows.length && html`<p class="muted">Showing the first ${failures.rows.length} of ${failures.total} failures; the full list is in the report.</p>`}`;
}

function localeName(code: string): string {
  return (LOCALE_CODES as readonly string[]).includes(code) ? `${code} · ${getLocale(code as LocaleCode).englishName}` : code;
}
