// `npm run test:slowest [-- --top N] [-- --check]`: the tests and beforeAll/afterAll hooks closest to
// their time limit, from the timings that `npm run test:timed` (scripts/timing-reporter.ts) wrote.
// Issue 14 item 10: on a machine whose CPUs are saturated every test and hook must finish within a
// third of its limit, so a slow moment never becomes a red build. --check exits 1 when one does not.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import config from '../vitest.config.js';
import { TIMINGS_FILE, type TimedHook, type Timings } from './timing-reporter.js';

const ALLOWED_SHARE = 1 / 3;

interface Row {
  kind: 'test' | 'hook';
  label: string;
  state: string;
  durationMs: number;
  limitMs: number;
}

const args = process.argv.slice(2);
const topArg = args.indexOf('--top');
const top = topArg >= 0 ? Number(args[topArg + 1]) : 15;
const check = args.includes('--check');
if (!Number.isInteger(top) || top < 1) {
  console.error('--top takes a whole number of rows, for example --top 20');
  process.exit(2);
}

let timings: Timings;
try {
  timings = JSON.parse(readFileSync(TIMINGS_FILE, 'utf8')) as Timings;
} catch {
  console.error(`no timings in ${TIMINGS_FILE}: run \`npm run test:timed\` (the whole suite, or name test files after --) first`);
  process.exit(2);
}

const defaultHookTimeoutMs = config.test?.hookTimeout ?? 10_000;
const rows: Row[] = [
  ...timings.tests.map((test): Row => ({ kind: 'test', label: `${test.file} > ${test.name}`, state: test.state, durationMs: test.durationMs, limitMs: test.timeoutMs })),
  ...hookRows(timings.hooks),
].sort((a, b) => b.durationMs / b.limitMs - a.durationMs / a.limitMs);

const over = rows.filter((row) => row.durationMs > row.limitMs * ALLOWED_SHARE);
const failed = timings.tests.filter((test) => test.state === 'failed').length;
console.log(`${timings.tests.length} tests (${failed} failed), ${timings.hooks.length} suite hooks; run started ${timings.startedAt}, took ${seconds(timings.wallMs)}`);
console.log(`${over.length} above a third of their limit\n`);
console.log(['  duration', '    limit', 'ratio', 'what'].join('  '));
for (const row of rows.slice(0, top)) {
  const mark = row.durationMs > row.limitMs * ALLOWED_SHARE ? '!' : ' ';
  const state = row.state === 'passed' ? '' : ` [${row.state}]`;
  console.log(
    `${mark} ${seconds(row.durationMs).padStart(8)}  ${seconds(row.limitMs).padStart(7)}  ${(row.durationMs / row.limitMs).toFixed(2).padStart(5)}  ${row.kind === 'hook' ? '(hook) ' : ''}${row.label}${state}`,
  );
}
if (check && over.length > 0) process.exit(1);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A hook's limit is not in the reporter's events: it is the number after the hook's function in the
 * source (`beforeAll(async () => {...}, 90_000)`) or the config's hookTimeout. A file's hooks of one
 * kind ran in source order, so the n-th to start is the n-th in the source.
 */
function hookRows(hooks: TimedHook[]): Row[] {
  const byFileAndKind = new Map<string, TimedHook[]>();
  for (const hook of hooks) {
    const key = `${hook.file}\u0000${hook.hook}`;
    byFileAndKind.set(key, [...(byFileAndKind.get(key) ?? []), hook]);
  }
  return [...byFileAndKind.values()].flatMap((group) => {
    const first = group[0]!;
    const limits = hookLimitsInSource(first.file, first.hook);
    return group
      .sort((a, b) => a.startMs - b.startMs)
      .map(
        (hook, index): Row => ({
          kind: 'hook',
          label: `${hook.file} > ${hook.suite ? `${hook.suite} > ` : ''}${hook.hook}`,
          state: 'passed',
          durationMs: hook.durationMs,
          limitMs: (limits.length === group.length ? limits[index] : undefined) ?? defaultHookTimeoutMs,
        }),
      );
  });
}

/** The explicit timeout of each `name(...)` call in the file, in source order (undefined: the default). */
function hookLimitsInSource(file: string, name: string): (number | undefined)[] {
  const source = readFileSync(file, 'utf8');
  const limits: (number | undefined)[] = [];
  for (const match of source.matchAll(new RegExp(`\\b${name}\\(`, 'g'))) {
    const lastArgument = lastTopLevelArgument(source, match.index + match[0].length);
    limits.push(lastArgument === undefined ? undefined : numberIn(source, lastArgument));
  }
  return limits;
}

/** The text after the last top-level comma of the call whose arguments start at `start`, if any. */
function lastTopLevelArgument(source: string, start: number): string | undefined {
  let depth = 0;
  let lastComma = -1;
  for (let i = start; i < source.length; i++) {
    const char = source[i]!;
    if ('([{'.includes(char)) depth++;
    else if (')]}'.includes(char)) {
      if (depth === 0) return lastComma < 0 ? undefined : source.slice(lastComma + 1, i).trim();
      depth--;
    } else if (char === ',' && depth === 0) lastComma = i;
  }
  return undefined;
}

/** A numeric literal (`90_000`), or a `const NAME = 90_000` declared in the same file or in test/helpers/. */
function numberIn(source: string, text: string): number | undefined {
  if (/^[\d_]+$/.test(text)) return Number(text.replaceAll('_', ''));
  if (!/^[A-Za-z_]\w*$/.test(text)) return undefined;
  const declaration = new RegExp(`\\bconst ${text} = ([\\d_]+)\\b`);
  for (const candidate of [source, ...helperSources()]) {
    const literal = declaration.exec(candidate)?.[1];
    if (literal !== undefined) return Number(literal.replaceAll('_', ''));
  }
  return undefined;
}

function helperSources(): string[] {
  return readdirSync('test/helpers')
    .filter((name) => name.endsWith('.ts'))
    .map((name) => readFileSync(join('test/helpers', name), 'utf8'));
}
