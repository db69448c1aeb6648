import type { RunRecord } from '../runs/run-store.js';

export type RunState = 'enqueuing' | 'running' | 'cancelling' | 'cancelled' | 'finished';

export function runState(run: RunRecord): RunState {
  const complete = run.enqueuedAt !== undefined && run.settled >= run.total;
  if (run.cancelledAt !== undefined) return complete ? 'cancelled' : 'cancelling';
  if (complete) return 'finished';
  return run.enqueuedAt === undefined ? 'enqueuing' : 'running';
}

/** Images not yet resolved, over the pool's capacity: the time left if the quota is the limit (it is). */
export function etaMs(run: RunRecord): number | undefined {
  if (run.imagesPerMinute <= 0) return undefined;
  const done = Object.values(run.locales).reduce((sum, locale) => sum + locale.images, 0);
  return (Math.max(0, run.imagesPlanned - done) / run.imagesPerMinute) * 60_000;
}

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

const time = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

/** One line per run, for `polyglyph status`. */
export function formatRunList(runs: RunRecord[]): string {
  const header = ['RUN', 'STATE', 'ITEMS', 'CREATED', 'EXISTING', 'FAILED', 'STARTED', 'MANIFEST', 'ORIGIN'];
  const lines = runs.map((run) => [run.id, runState(run), `${run.settled}/${run.total}`, String(run.imagesCreated), String(run.imagesExisting), String(run.itemsFailed), time(run.startedAt), run.manifest, run.origin]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  return [header, ...lines].map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

/** The detail of one run with a progress bar per locale, for `polyglyph status <run>`. */
export function formatRun(run: RunRecord, extra: string[] = []): string {
  const state = runState(run);
  const eta = state === 'running' || state === 'enqueuing' ? etaMs(run) : undefined;
  const lines = [
    `run ${run.id}: ${state}${eta !== undefined ? `, about ${formatDuration(eta)} left at ${run.imagesPerMinute} images/min` : ''}`,
    `  manifest  ${run.manifest} (sha256 ${run.manifestSha256.slice(0, 16)}...)`,
    `  origin    ${run.origin}; model ${run.model}`,
    `  started   ${time(run.startedAt)}; finished ${time(run.finishedAt)}${run.cancelledAt ? `; cancelled ${time(run.cancelledAt)}` : ''}`,
    `  items     ${run.settled}/${run.total} settled; images ${run.imagesCreated} created, ${run.imagesExisting} already stored; ${run.itemsFailed} items failed${run.itemsCancelled ? `, ${run.itemsCancelled} cancelled` : ''}`,
  ];
  const locales = Object.entries(run.locales).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(0, ...locales.map(([code]) => code.length));
  for (const [code, progress] of locales) {
    lines.push(`  ${code.padEnd(width)}  ${bar(progress.images, progress.planned)} ${progress.images}/${progress.planned} images${progress.itemsFailed ? `, ${progress.itemsFailed} failed` : ''}`);
  }
  lines.push(...extra.map((line) => `  ${line}`));
  if (run.reportBlob) lines.push(`  report    ${run.reportBlob}`);
  return lines.join('\n');
}
