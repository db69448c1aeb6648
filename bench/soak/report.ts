// The soak's printed result: every target with its figure and PASS/FAIL, then the figures that have
// no target but say what the soak could and could not show (the rate achieved, where the CPU went).
import type { MockImageApiStats } from '../../src/mock-api/server.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import type { RunRecord } from '../../src/runs/run-store.js';
import type { ItemAccount } from './item-accounting.js';
import type { SoakSettings } from './settings.js';
import type { RssReading } from './worker-fleet.js';

export interface SoakOutcome {
  settings: SoakSettings;
  run: RunRecord | undefined;
  account: ItemAccount;
  stats: MockImageApiStats;
  /** Images answered per minute in the steady middle of the run (bench:quota's measure). */
  steadyPerMinute: number;
  /** From the enqueue to the last item that settled. */
  makespanMs: number;
  /** From the enqueue to the end of the wait (completion, or the drain giving up). */
  finishedMs: number;
  kills: number;
  killsInFlight: number;
  selfExits: number;
  exitLines: readonly string[];
  rssMarkImages: number;
  rssAtMark: readonly RssReading[];
  rssAtEnd: readonly RssReading[];
  /** Per slot, how many times its worker was replaced (killed or exited). */
  restarts: readonly number[];
  cpuTotals: ReadonlyMap<string, number>;
  machineBusy: number | undefined;
  elapsedSeconds: number;
  failures: { rows: ReportRow[]; total: number } | undefined;
  /** The workers' most frequent log messages (warn and above), with counts. */
  logMessages: ReadonlyArray<[string, number]>;
}

const RSS_TARGET = 1.2;

/** Prints the result; true when every target was met. */
export function printSoakReport(o: SoakOutcome): boolean {
  const { settings: s, account: a, stats } = o;
  const generatedTwice = Object.values(stats.generationsByPrompt).reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  const share429 = stats.requests === 0 ? 0 : stats.rateLimited / stats.requests;
  const statuses = Object.entries(stats.byStatus)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const achieved = a.stored / Math.max(1, o.makespanMs / 60_000);
  const checks: Array<[string, string, boolean | undefined]> = [
    [
      'items lost',
      `${a.lost} of ${s.images}${a.lost ? ` (${a.lostWithBlob} with their image stored, ${a.settledWithoutBlob} settled without a blob; e.g. ${a.lostExamples.join('; ')})` : ''}`,
      a.lost === 0,
    ],
    [
      'items stored / failed / still queued',
      `${a.stored} / ${a.failed} / ${a.pending} (run: ${o.run?.settled ?? 0}/${o.run?.total ?? 0} settled)`,
      a.failed === 0 && a.pending === 0 ? true : undefined,
    ],
    ['images generated more than once', `${generatedTwice} (kills: ${o.kills}, with a request in flight: ${o.killsInFlight})`, generatedTwice <= o.killsInFlight],
    ['blobs duplicated', String(a.duplicatedBlobs), a.duplicatedBlobs === 0],
    ['429 share', `${(share429 * 100).toFixed(2)}% (${stats.rateLimited}/${stats.requests} requests; ${statuses})`, undefined],
    [
      'rate achieved',
      `${achieved.toFixed(0)}/min stored of the ${s.rate}/min requested (${(achieved / s.rate).toFixed(3)}); steady ${o.steadyPerMinute.toFixed(0)}/min answered; last settle ${(o.makespanMs / 1000).toFixed(0)} s after the enqueue, ideal ${((s.images / s.rate) * 60).toFixed(0)} s`,
      undefined,
    ],
    ['utilisation (steady / quota)', (o.steadyPerMinute / s.rate).toFixed(3), undefined],
    ['workers replaced', `${o.kills} SIGKILLed, ${o.selfExits} exited by themselves${o.exitLines.length ? ` (last: ${o.exitLines.at(-1)})` : ''}`, undefined],
  ];
  console.log('\nsoak result');
  for (const [name, value, ok] of checks) console.log(`  ${name.padEnd(38)} ${value}${ok === undefined ? '' : ok ? '  PASS' : '  FAIL'}`);
  let memoryOk = true;
  const mb = (kb: number | undefined): string => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);
  for (const [index, end] of o.rssAtEnd.entries()) {
    const mark = o.rssAtMark[index];
    const label = `  worker ${index + 1} RSS`.padEnd(40);
    if (!mark || mark.pid !== end.pid) {
      console.log(`${label} at ${o.rssMarkImages} images ${mb(mark?.kb)}, at the end ${mb(end.kb)} (replaced ${o.restarts[index]}x: not comparable)`);
      continue;
    }
    const ratio = (end.kb ?? 0) / (mark.kb ?? 1);
    memoryOk &&= ratio <= RSS_TARGET;
    console.log(`${label} at ${o.rssMarkImages} images ${mb(mark.kb)}, at the end ${mb(end.kb)}: ${ratio.toFixed(2)}x  ${ratio <= RSS_TARGET ? 'PASS' : 'FAIL'} (target <= ${RSS_TARGET}x)`);
  }
  printCpu(o);
  if (o.logMessages.length > 0) console.log(`\nworker log messages (warn and above): ${o.logMessages.map(([message, count]) => `${count}x ${message}`).join('; ')}`);
  if (o.failures) {
    console.log(`\nfailed items (${o.failures.rows.length} of ${o.failures.total}):`);
    for (const row of o.failures.rows) console.log(`  ${row.id} ${row.locale}: ${row.errorCode} after ${row.attempts} tries: ${row.errorMessage}`);
  }
  return checks.every(([, , ok]) => ok !== false) && memoryOk;
}

/** CPU seconds per stored image of each part, and the machine's busy share (other sessions included). */
function printCpu(o: SoakOutcome): void {
  const images = Math.max(1, o.account.stored);
  const total = [...o.cpuTotals.values()].reduce((sum, seconds) => sum + seconds, 0);
  const parts = [...o.cpuTotals.entries()].map(([part, seconds]) => `${part} ${((seconds / images) * 1000).toFixed(0)} ms`).join(', ');
  console.log(`\nCPU per stored image: ${parts}; total ${((total / images) * 1000).toFixed(0)} ms (${total.toFixed(0)} CPU s over ${o.elapsedSeconds.toFixed(0)} s)`);
  if (o.machineBusy !== undefined) {
    const soakShare = total / o.elapsedSeconds;
    console.log(`machine: ${(o.machineBusy * 100).toFixed(0)}% of its cores busy on average, this soak ${soakShare.toFixed(2)} cores of them`);
  }
}
