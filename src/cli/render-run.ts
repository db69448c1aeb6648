import { formatDuration } from '../cost/duration.js';
import { describeDeploymentState, USAGE_WINDOW_MINUTES, type DeploymentUsage } from '../deployments/deployment-usage.js';
import { formatTimestamp } from '../runs/format-time.js';
import { etaMs, runState } from '../runs/run-state.js';
import type { RunRecord } from '../runs/run-store.js';
import { terminalValue } from '../text/terminal-text.js';

/** Columns padded to their widest cell, two spaces apart, as `docker ps` and `kubectl get` print. */
function formatTable(header: string[], rows: string[][]): string {
  // Cells come from run records (manifest names, origins, deployment names): terminal-safe first.
  const lines = rows.map((row) => row.map(terminalValue));
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  return [header, ...lines].map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}


/** One line per run, for `polyglyph status`. */
export function formatRunList(runs: RunRecord[]): string {
  const header = ['RUN', 'STATE', 'ITEMS', 'CREATED', 'EXISTING', 'FAILED', 'STARTED', 'MANIFEST', 'ORIGIN'];
  const lines = runs.map((run) => [run.id, runState(run), `${run.settled}/${run.total}`, String(run.imagesCreated), String(run.imagesExisting), String(run.itemsFailed), formatTimestamp(run.startedAt), run.manifest, run.origin]);
  return formatTable(header, lines);
}

/** The detail of one run with a progress bar per locale, for `polyglyph status <run>`. */
export function formatRun(run: RunRecord, extra: string[] = []): string {
  const state = runState(run);
  const eta = state === 'running' || state === 'enqueuing' ? etaMs(run) : undefined;
  const lines = [
    `run ${terminalValue(run.id)}: ${state}${eta !== undefined ? `, about ${formatDuration(eta)} left at ${run.imagesPerMinute} images/min` : ''}`,
    `  manifest  ${terminalValue(run.manifest)} (sha256 ${run.manifestSha256.slice(0, 16)}...)`,
    `  origin    ${terminalValue(run.origin)}; model ${terminalValue(run.model)}`,
    `  started   ${formatTimestamp(run.startedAt)}; finished ${formatTimestamp(run.finishedAt)}${run.cancelledAt ? `; cancelled ${formatTimestamp(run.cancelledAt)}` : ''}`,
    `  items     ${run.settled}/${run.total} settled; images ${run.imagesCreated} created, ${run.imagesExisting} already stored; ${run.itemsFailed} items failed${run.itemsCancelled ? `, ${run.itemsCancelled} cancelled` : ''}`,
  ];
  const locales = Object.entries(run.locales).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(0, ...locales.map(([code]) => code.length));
  for (const [code, progress] of locales) {
    lines.push(`  ${terminalValue(code).padEnd(width)}  ${bar(progress.images, progress.planned)} ${progress.images}/${progress.planned} images${progress.itemsFailed ? `, ${progress.itemsFailed} failed` : ''}${textSummary(progress)}`);
  }
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
