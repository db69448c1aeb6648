import { formatDuration } from '../cost/duration.js';
import { plural } from '../text/plural.js';
import { describeDeploymentState, USAGE_WINDOW_MINUTES, type DeploymentUsage } from '../deployments/deployment-usage.js';
import { formatTimestamp } from '../runs/format-time.js';
import { etaMs, runState } from '../runs/run-state.js';
import type { LocaleProgress, RunRecord } from '../runs/run-store.js';
import { RECORDED_PACE, type EtaPace } from '../runs/workers-pace.js';
import { terminalValue } from '../text/terminal-text.js';

/** Columns padded to their widest cell, two spaces apart, as `docker ps` and `kubectl get` print. */
function formatTable(header: string[], rows: string[][]): string {
  // Cells come from run records (manifest names, origins, deployment names): terminal-safe first.
  const lines = rows.map((row) => row.map(terminalValue));
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  return [header, ...lines]
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/**
 * How a locale's images were resolved, so a bar never looks complete when it is not: `#` made now,
 * `=` found stored, `x` given up with a failed item, `-` cancelled, `.` still to do.
 */
const BAR_MARKS = [
  ['created', '#'],
  ['existing', '='],
  ['imagesFailed', 'x'],
  ['imagesCancelled', '-'],
] as const;

export function localeBar(progress: LocaleProgress, width = 24): string {
  if (progress.created === undefined) return bar(progress.images, progress.planned, width);
  const total = Math.max(progress.planned, progress.images);
  let used = 0;
  let cells = '';
  let counted = 0;
  for (const [field, mark] of BAR_MARKS) {
    counted += progress[field] ?? 0;
    // Cumulative rounding: the segments always add up to the share resolved, never past the width.
    const end = total === 0 ? 0 : Math.min(width, Math.round((counted / total) * width));
    cells += mark.repeat(Math.max(0, end - used));
    used = Math.max(used, end);
  }
  return `[${cells}${'.'.repeat(width - used)}]`;
}

/** `3 created, 1 already stored, 1 failed, 2 pending of 7 images`: the words next to the bar. */
export function localeCounts(progress: LocaleProgress): string {
  if (progress.created === undefined) return `${progress.images}/${plural(progress.planned, 'image')}${progress.itemsFailed ? `, ${progress.itemsFailed} failed` : ''}`;
  const pending = Math.max(0, progress.planned - progress.images);
  const parts = [
    `${progress.created} created`,
    progress.existing ? `${progress.existing} already stored` : '',
    progress.imagesFailed ? `${progress.imagesFailed} failed` : '',
    progress.imagesCancelled ? `${progress.imagesCancelled} cancelled` : '',
    pending ? `${pending} pending` : '',
  ].filter(Boolean);
  return `${parts.join(', ')} of ${plural(progress.planned, 'image')}`;
}

/** One line per run, for `polyglyph status`. */
export function formatRunList(runs: RunRecord[]): string {
  const header = ['RUN', 'STATE', 'ITEMS', 'CREATED', 'EXISTING', 'FAILED', 'STARTED', 'MANIFEST', 'ORIGIN'];
  const lines = runs.map((run) => [
    run.id,
    runState(run),
    `${run.settled}/${run.total}`,
    String(run.imagesCreated),
    String(run.imagesExisting),
    String(run.itemsFailed),
    formatTimestamp(run.startedAt),
    run.manifest,
    run.origin,
  ]);
  return formatTable(header, lines);
}

/**
 * The detail of one run with a progress bar per locale, for `polyglyph status <run>`. `pace`: the
 * quota the running workers registered (else the capacity recorded when the run was enqueued).
 */
export function formatRun(run: RunRecord, extra: string[] = [], pace?: EtaPace): string {
  const state = runState(run);
  const imagesPerMinute = pace?.imagesPerMinute ?? run.imagesPerMinute;
  const eta = state === 'running' || state === 'enqueuing' ? etaMs(run, imagesPerMinute) : undefined;
  const from = pace?.from ?? RECORDED_PACE;
  const lines = [
    `run ${terminalValue(run.id)}: ${state}${eta !== undefined ? `, about ${formatDuration(eta)} left at ${imagesPerMinute} images/min (${from})` : ''}`,
    `  manifest  ${terminalValue(run.manifest)} (sha256 ${run.manifestSha256.slice(0, 16)}...)`,
    `  origin    ${terminalValue(run.origin)}; model ${terminalValue(run.model)}`,
    `  started   ${formatTimestamp(run.startedAt)}; finished ${formatTimestamp(run.finishedAt)}${run.cancelledAt ? `; cancelled ${formatTimestamp(run.cancelledAt)}` : ''}`,
    `  items     ${run.settled}/${run.total} settled; images ${run.imagesCreated} created, ${run.imagesExisting} already stored; ${plural(run.itemsFailed, 'item')} failed${run.itemsCancelled ? `, ${run.itemsCancelled} cancelled` : ''}`,
  ];
  const locales = Object.entries(run.locales).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(0, ...locales.map(([code]) => code.length));
  for (const [code, progress] of locales) {
    lines.push(`  ${terminalValue(code).padEnd(width)}  ${localeBar(progress)} ${localeCounts(progress)}${textSummary(progress)}`);
  }
  if (locales.some(([, progress]) => progress.created !== undefined)) lines.push(`  ${' '.repeat(width)}  # created  = already stored  x failed  - cancelled  . pending`);
  const codes = Object.entries(run.failuresByCode).sort(([, a], [, b]) => b - a);
  if (codes.length > 0) lines.push(`  failures  ${codes.map(([code, count]) => `${terminalValue(code)} ${count}`).join(', ')} (\`polyglyph report ${terminalValue(run.id)}\` lists each)`);
  lines.push(...extra.map((line) => `  ${terminalValue(line)}`));
  if (run.reportBlob) lines.push(`  report    ${terminalValue(run.reportBlob)}`);
  return lines.join('\n');
}

/** The deployments' quota use, for `polyglyph status`: the same figures as the dashboard's overview. */
export function formatDeployments(deployments: DeploymentUsage[]): string {
  const header = ['DEPLOYMENT', 'MODEL', 'QUOTA/MIN', 'LAST 60 S', `PER MIN (${USAGE_WINDOW_MINUTES} MIN)`, `429S (${USAGE_WINDOW_MINUTES} MIN)`, 'STATE'];
  const lines = deployments.map((d) => [
    d.name,
    d.model,
    String(d.imagesPerMinute),
    `${Math.round(d.imagesLast60s)} (${Math.round(d.utilisation * 100)}%)`,
    d.imagesPerMinuteRecent.toFixed(1),
    String(d.rateLimitedRecent),
    describeDeploymentState(d).text,
  ]);
  return formatTable(header, lines);
}

/** The text check's per-locale summary: images read back, flagged, mean character error rate. */
export function textSummary(progress: RunRecord['locales'][string]): string {
  if (!progress.textChecked) return '';
  const mean = progress.meanCer === undefined ? '' : `, mean CER ${progress.meanCer.toFixed(2)}`;
  return `; text checked ${progress.textChecked}, ${progress.textNeedsReview ?? 0} need review${mean}`;
}
