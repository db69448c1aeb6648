/**
 * Start-up time of the installed CLI (bin/polyglyph.js on the compiled dist/), as ratios to a bare
 * `node -e 0` measured in the same run: `--version` should stay within 3x (it loads nothing but
 * package.json), `--help` loads commander and no command (command-summaries.ts), `<command> --help`
 * that command alone, `validate` the manifest checks but no Redis, Azure or BullMQ code.
 *
 *   npm run bench:startup            # 7 runs of each, medians
 *   npm run bench:startup -- 15      # more runs
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);
const runs = Number(process.argv[2] ?? 7);

const CASES: Array<{ name: string; args: string[] }> = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { name: 'polyglyph --version', args: ['bin/polyglyph.js', '--version'] },
  { name: 'polyglyph --help', args: ['bin/polyglyph.js', '--help'] },
  { name: 'polyglyph validate --help', args: ['bin/polyglyph.js', 'validate', '--help'] },
  { name: 'polyglyph validate <sample>', args: ['bin/polyglyph.js', 'validate', 'samples/spring-campaign.csv'] },
];

async function timeOnce(args: string[]): Promise<number> {
  const start = performance.now();
  await run(process.execPath, args, { env: { PATH: process.env.PATH ?? '' } });
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const results: Array<{ name: string; ms: number }> = [];
// Interleaved, so a burst of load on the machine hits every case alike.
const samples = CASES.map(() => [] as number[]);
for (let i = 0; i < runs; i++) {
  for (const [index, { args }] of CASES.entries()) samples[index]!.push(await timeOnce(args));
}
for (const [index, { name }] of CASES.entries()) results.push({ name, ms: median(samples[index]!) });
const baseline = results[0]!.ms;
console.log(`start-up, median of ${runs} runs (ratio to bare node; target for --version: <= 3x)`);
for (const { name, ms } of results) console.log(`${name.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / baseline).toFixed(2)}x`);
