// The printed result: one table row per scenario with its ratios, its target and PASS/FAIL, then
// the notes that explain a number (worker warnings, pool shares, shutdown times).
import type { Scenario, ScenarioResult } from './scenarios.js';

export type Row = { scenario: Scenario; result: ScenarioResult } | { scenario: Scenario; error: Error };

const COLUMNS = [
  { title: 'scenario', width: 34 },
  { title: 'N', width: 5 },
  { title: 'quota/min', width: 10 },
  { title: 'steady/min', width: 11 },
  { title: 'util', width: 6 },
  { title: '429s/req', width: 15 },
  { title: 'sent/paced', width: 11 },
  { title: 'makespan', width: 9 },
  { title: '/(N/Q)', width: 7 },
  { title: 'failed', width: 7 },
  { title: 'target', width: 31 },
  { title: 'result', width: 0 },
];

export function printTable(rows: readonly Row[]): void {
  const line = (cells: string[]): string =>
    cells
      .map((cell, index) => cell.padEnd(COLUMNS[index]!.width))
      .join(' ')
      .trimEnd();
  console.log(line(COLUMNS.map((column) => column.title)));
  console.log(line(COLUMNS.map((column) => '-'.repeat(Math.max(column.width, column.title.length)))));
  for (const row of rows) console.log(line(cells(row)));
}

function cells(row: Row): string[] {
  const { scenario } = row;
  const target = scenario.target?.text ?? '(baseline)';
  if ('error' in row) return [scenario.label, '', '', '', '', '', '', '', '', '', target, `ERROR: ${firstLine(row.error.message)}`];
  const { result } = row;
  const base = [scenario.label, String(result.items), String(result.quotaPerMinute)];
  if (result.kind === 'not-available') return [...base, '', '', '', '', '', '', '', target, 'not available'];
  const m = result.metrics;
  const verdict = scenario.target === undefined ? '-' : scenario.target.met(m) && !result.timedOut ? 'PASS' : 'FAIL';
  return [
    ...base,
    fixed(m.steadyImagesPerMinute, 1),
    fixed(m.utilisation, 2),
    `${m.rateLimited}/${m.requests} ${Number.isNaN(m.rateLimitedRatio) ? '' : `${(m.rateLimitedRatio * 100).toFixed(1)}%`}`,
    `${fixed(m.sentPerMinute, 0)}/${fixed(m.pacedPerMinute, 0)}`,
    Number.isNaN(m.makespanMs) ? 'n/a' : `${(m.makespanMs / 1000).toFixed(1)} s`,
    fixed(m.makespanRatio, 2),
    String(m.failedItems),
    target,
    `${verdict}${result.timedOut ? ' (timed out)' : ''}`,
  ];
}

export function printNotes(rows: readonly Row[]): void {
  for (const row of rows) {
    const lines: string[] = [];
    if ('error' in row) lines.push(row.error.stack ?? row.error.message);
    else if (row.result.kind === 'not-available') lines.push(row.result.reason);
    else {
      const m = row.result.metrics;
      const statuses = Object.entries(m.byStatus)
        .map(([status, count]) => `${status}: ${count}`)
        .join(', ');
      lines.push(`responses ${statuses || 'none'}; ${m.imagesGenerated} images generated, ${m.duplicateImages} paid twice`);
      lines.push(
        `achieved vs requested: ${fixed(m.sentPerMinute, 1)} requests/min reached the stand-in in the steady window, workers paced at ${fixed(m.pacedPerMinute, 1)}/min` +
          `${Number.isFinite(m.pacedPerMinute) ? ` (sent/paced ${fixed(m.sentPerMinute / m.pacedPerMinute, 2)})` : ' (no pacer)'}; stand-in answered a 200 in ${fixed(m.meanAnswerMs / 1000, 2)} s on average (told ${row.result.standInLatencyMs === undefined ? '?' : fixed(row.result.standInLatencyMs / 1000, 2)} s)`,
      );
      if (m.windowUtilisation !== undefined) lines.push(`measured window: ${m.windowUtilisation.toFixed(2)} of the new quota (the util column is the whole run's steady rate over the new quota)`);
      lines.push(...row.result.notes);
    }
    console.log(`\n${row.scenario.label}`);
    for (const text of lines) console.log(`  ${text.replaceAll('\n', '\n    ')}`);
  }
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
