// What the quota bench runs with: every knob can come from a flag or an environment variable, and
// the defaults scale Azure's real shape (6 images/min, 10-30 s per image: latency much longer than
// the interval between admissions) down by 10x so the whole bench fits in a few minutes.
import { parseArgs } from 'node:util';

export const SCENARIO_NAMES = ['sequential', 'p-limit', 'polyglyph-1', 'polyglyph-3', 'polyglyph-2x', 'pool', 'learned-2x', 'learned-right', 'raised'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchSettings {
  /** Images per scenario (one manifest row, one locale, one image each). */
  items: number;
  /** Quota per deployment in images per minute, enforced by the stand-in. */
  imagesPerMinute: number;
  /** Stand-in latency: latencyMs + uniform 0..jitterMs per image. */
  latencyMs: number;
  jitterMs: number;
  /** The sequential baseline is latency-bound (its rate does not depend on N), so it runs fewer items. */
  sequentialItems: number;
  /** Pool quotas as multiples of imagesPerMinute: 0.5, 1, 1.5 gives 30, 60, 90 at the default 60. */
  poolQuotaFactors: readonly number[];
  /** Total in-flight capacity = margin x (quota x worst-case latency); 2 leaves room for jitter and upload time. */
  capacityMargin: number;
  only: ReadonlySet<ScenarioName>;
  /** When set, each scenario's stand-in request log is written there as <scenario>.json, for diagnosis. */
  logDir: string | undefined;
}

const DEFAULTS = { items: 60, imagesPerMinute: 60, latencyMs: 3_000, jitterMs: 3_000, sequentialItems: 12 };

const USAGE = `npm run bench:quota -- [--n 60] [--q 60] [--latency-ms 3000] [--jitter-ms 3000] [--sequential-n 12] [--only ${SCENARIO_NAMES.join(',')}] [--log-dir DIR]
environment: BENCH_QUOTA_N, BENCH_QUOTA_Q, BENCH_QUOTA_LATENCY_MS, BENCH_QUOTA_JITTER_MS, BENCH_QUOTA_SEQUENTIAL_N, BENCH_QUOTA_ONLY, BENCH_QUOTA_LOG_DIR`;

export function readBenchSettings(argv: string[], env: NodeJS.ProcessEnv): BenchSettings | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string' },
      q: { type: 'string' },
      'latency-ms': { type: 'string' },
      'jitter-ms': { type: 'string' },
      'sequential-n': { type: 'string' },
      only: { type: 'string' },
      'log-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 'help';
  }
  const items = integer('--n', values.n ?? env.BENCH_QUOTA_N, DEFAULTS.items, 10);
  return {
    items,
    imagesPerMinute: integer('--q', values.q ?? env.BENCH_QUOTA_Q, DEFAULTS.imagesPerMinute, 1),
    latencyMs: integer('--latency-ms', values['latency-ms'] ?? env.BENCH_QUOTA_LATENCY_MS, DEFAULTS.latencyMs, 0),
    jitterMs: integer('--jitter-ms', values['jitter-ms'] ?? env.BENCH_QUOTA_JITTER_MS, DEFAULTS.jitterMs, 0),
    sequentialItems: Math.min(items, integer('--sequential-n', values['sequential-n'] ?? env.BENCH_QUOTA_SEQUENTIAL_N, DEFAULTS.sequentialItems, 1)),
    poolQuotaFactors: [0.5, 1, 1.5],
    capacityMargin: 2,
    only: scenarioSet(values.only ?? env.BENCH_QUOTA_ONLY),
    logDir: values['log-dir'] ?? (env.BENCH_QUOTA_LOG_DIR || undefined),
  };
}

function integer(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name}: expected an integer >= ${min}, got '${raw}'\n${USAGE}`);
  return value;
}

function scenarioSet(raw: string | undefined): ReadonlySet<ScenarioName> {
  if (raw === undefined || raw.trim() === '') return new Set(SCENARIO_NAMES);
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(SCENARIO_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new RangeError(`--only: unknown scenario ${unknown.join(', ')}; expected some of ${SCENARIO_NAMES.join(', ')}`);
  return new Set(names as ScenarioName[]);
}

/** Concurrency per worker so that all workers together can hold `margin x` the requests the quota keeps in flight at worst-case latency. */
export function concurrencyPerWorker(settings: BenchSettings, totalImagesPerMinute: number, workers: number): number {
  const worstLatencyMs = settings.latencyMs + settings.jitterMs;
  const inFlightAtQuota = (totalImagesPerMinute * worstLatencyMs) / 60_000;
  const capacity = Math.max(1, Math.ceil(settings.capacityMargin * inFlightAtQuota));
  return Math.ceil(capacity / workers);
}
