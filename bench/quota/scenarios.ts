// The six scenarios, each with what it is compared against. Baselines have no target: they are
// printed so Polyglyph's numbers have something to be read against.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FAN_OUT_CONCURRENCY, runPLimitFanOut, runSequential, type BaselineOutcome } from './baselines.js';
import { CleanupStack } from './lifecycle.js';
import { benchItems } from './manifest.js';
import { computeMetrics, type Observation, type ScenarioMetrics } from './metrics.js';
import { runPolyglyphScenario, type PolyglyphScenarioSpec, type PolyglyphServices } from './polyglyph-scenarios.js';
import { concurrencyPerWorker, type BenchSettings, type ScenarioName } from './settings.js';
import { generationsUrl, startStandIn } from './stand-in.js';

export interface Target {
  text: string;
  met(metrics: ScenarioMetrics): boolean;
}

export type ScenarioResult =
  | { kind: 'measured'; items: number; quotaPerMinute: number; metrics: ScenarioMetrics; timedOut: boolean; notes: string[]; /** The stand-in's mean latency as set. */ standInLatencyMs?: number }
  | { kind: 'not-available'; items: number; quotaPerMinute: number; reason: string };

export interface Scenario {
  name: ScenarioName;
  label: string;
  target?: Target;
  /** Polyglyph scenarios need Redis and Azurite; the entry starts them once, on first use. */
  needsServices: boolean;
  describe(): string;
  run(services: PolyglyphServices | undefined, interrupted: AbortSignal): Promise<ScenarioResult>;
}

const MATCHED_QUOTA: Target = { text: 'util >= 0.95, 429s <= 1%', met: (m) => m.utilisation >= 0.95 && m.rateLimitedRatio <= 0.01 };
const QUOTA_TOO_HIGH: Target = { text: 'util >= 0.90, 0 failed', met: (m) => m.utilisation >= 0.9 && m.failedItems === 0 };
// Quota learned from 429s (issue 12, item 4).
const LEARNED_TOO_HIGH: Target = { text: 'util >= 0.90, 429s <= 5%', met: (m) => m.utilisation >= 0.9 && m.rateLimitedRatio <= 0.05 && m.failedItems === 0 };
const LEARNED_RIGHT: Target = { text: 'util >= 0.97, 429s <= 1%', met: (m) => m.utilisation >= 0.97 && m.rateLimitedRatio <= 0.01 };
const RAISED: Target = { text: '>= 0.95 of new quota by 2 min', met: (m) => (m.windowUtilisation ?? 0) >= 0.95 && m.failedItems === 0 };
const POOL: Target = { text: 'util >= 0.90 of sum of quotas', met: (m) => m.utilisation >= 0.9 };

export function scenarios(settings: BenchSettings): Scenario[] {
  const q = settings.imagesPerMinute;
  const n = settings.items;
  const poolQuotas = settings.poolQuotaFactors.map((factor) => Math.max(1, Math.round(q * factor)));
  const poolSum = poolQuotas.reduce((a, b) => a + b, 0);
  // The pool gets proportionally more items, so every scenario's ideal duration is the same N/Q.
  const poolItems = Math.round((n * poolSum) / q);
  const polyglyph = (spec: PolyglyphScenarioSpec): Pick<Scenario, 'needsServices' | 'run' | 'describe'> => ({
    needsServices: true,
    describe: () =>
      `${spec.items} items; stand-in quota ${spec.standInQuotas.join('+')}/min; ${spec.workers} worker(s) x concurrency ${spec.concurrencyPerWorker}; ` +
      (spec.configuredImagesPerMinute === undefined ? 'per-deployment quotas from POLYGLYPH_DEPLOYMENTS_FILE' : `POLYGLYPH_IMAGES_PER_MINUTE=${spec.configuredImagesPerMinute}`),
    run: async (services, interrupted) => {
      if (!services) throw new Error('Redis and Azurite were not started');
      const outcome = await runPolyglyphScenario(spec, settings, services, interrupted);
      const base = { items: spec.items, quotaPerMinute: spec.standInQuotas.reduce((a, b) => a + b, 0) };
      if (outcome.kind === 'not-available') return { kind: 'not-available', ...base, reason: outcome.reason };
      await saveRequestLog(settings, spec.key, outcome.observation);
      return { kind: 'measured', ...base, metrics: computeMetrics(outcome.observation), timedOut: outcome.timedOut, notes: outcome.notes, standInLatencyMs: meanLatencyMs(settings) };
    },
  });

  const all: Scenario[] = [
    {
      name: 'sequential',
      label: 'sequential (C# sample loop)',
      needsServices: false,
      describe: () => `${settings.sequentialItems} items (latency-bound: its rate does not depend on N); one request at a time, sleep Retry-After on 429`,
      run: (_services, interrupted) => runBaseline(settings, settings.sequentialItems, 'sequential', interrupted, runSequential),
    },
    {
      name: 'p-limit',
      label: `p-limit fan-out (${FAN_OUT_CONCURRENCY}, backoff)`,
      needsServices: false,
      describe: () => `${n} items; p-limit(${FAN_OUT_CONCURRENCY}), retry 429/5xx up to 10 attempts, retry-after-ms / Retry-After else exponential backoff`,
      run: (_services, interrupted) => runBaseline(settings, n, 'p-limit', interrupted, runPLimitFanOut),
    },
    {
      name: 'polyglyph-1',
      label: 'polyglyph, 1 worker',
      target: MATCHED_QUOTA,
      ...polyglyph({ key: 'one', items: n, workers: 1, concurrencyPerWorker: concurrencyPerWorker(settings, q, 1), standInQuotas: [q], configuredImagesPerMinute: q }),
    },
    {
      name: 'polyglyph-3',
      label: 'polyglyph, 3 workers',
      target: MATCHED_QUOTA,
      ...polyglyph({ key: 'three', items: n, workers: 3, concurrencyPerWorker: concurrencyPerWorker(settings, q, 3), standInQuotas: [q], configuredImagesPerMinute: q }),
    },
    {
      name: 'polyglyph-2x',
      label: 'polyglyph, configured 2x too high',
      target: QUOTA_TOO_HIGH,
      ...polyglyph({ key: 'double', items: n, workers: 3, concurrencyPerWorker: concurrencyPerWorker(settings, q, 3), standInQuotas: [q], configuredImagesPerMinute: 2 * q }),
    },
    {
      name: 'pool',
      label: `pool (${poolQuotas.join('+')}/min)`,
      target: POOL,
      ...polyglyph({ key: 'pool', items: poolItems, workers: 3, concurrencyPerWorker: concurrencyPerWorker(settings, poolSum, 3), standInQuotas: poolQuotas }),
    },
    // Learning needs time to settle: these run 3N images (same N/Q scaling as the rows above, thrice as long).
    {
      name: 'learned-2x',
      label: 'learned: configured 2x too high',
      target: LEARNED_TOO_HIGH,
      ...polyglyph({ key: 'learn-double', items: 3 * n, workers: 3, concurrencyPerWorker: concurrencyPerWorker(settings, 2 * q, 3), standInQuotas: [q], configuredImagesPerMinute: 2 * q }),
    },
    {
      name: 'learned-right',
      label: 'learned: configured right',
      target: LEARNED_RIGHT,
      ...polyglyph({ key: 'learn-right', items: 3 * n, workers: 3, concurrencyPerWorker: concurrencyPerWorker(settings, q, 3), standInQuotas: [q], configuredImagesPerMinute: q }),
    },
    {
      // Configured 2Q while the service allows Q: learned down to Q; then the service allows 2Q.
      name: 'raised',
      label: 'learned: quota raised mid-run',
      target: RAISED,
      ...polyglyph({
        key: 'raised',
        items: Math.round(1.5 * n + 5 * n),
        workers: 3,
        concurrencyPerWorker: concurrencyPerWorker(settings, 2 * q, 3),
        standInQuotas: [q],
        configuredImagesPerMinute: 2 * q,
        raise: { afterMs: (1.5 * n * 60_000) / q, toImagesPerMinute: 2 * q, windowEndMs: 120_000 },
      }),
    },
  ];
  return all.filter((scenario) => settings.only.has(scenario.name));
}

type Baseline = (url: string, items: ReturnType<typeof benchItems>, deadlineMs: number, interrupted: AbortSignal) => Promise<BaselineOutcome>;

async function runBaseline(settings: BenchSettings, count: number, tag: string, interrupted: AbortSignal, baseline: Baseline): Promise<ScenarioResult> {
  const cleanup = new CleanupStack();
  try {
    const api = await startStandIn(settings, settings.imagesPerMinute, cleanup);
    const items = benchItems(count, tag);
    // Generous: the sequential loop needs count x latency; anything far beyond 4x ideal is a hang.
    const deadlineMs = 60_000 + count * (settings.latencyMs + settings.jitterMs) + 4 * (count / settings.imagesPerMinute) * 60_000;
    const outcome = await baseline(generationsUrl(api), items, deadlineMs, interrupted);
    const observation = { items: count, quotaPerMinute: settings.imagesPerMinute, startedAt: outcome.startedAt, stats: [api.stats()], failedItems: outcome.failedItems };
    await saveRequestLog(settings, tag, observation);
    return {
      kind: 'measured',
      items: count,
      quotaPerMinute: settings.imagesPerMinute,
      metrics: computeMetrics(observation),
      timedOut: outcome.timedOut,
      notes: [],
      standInLatencyMs: meanLatencyMs(settings),
    };
  } finally {
    await cleanup.runAll();
  }
}

function meanLatencyMs(settings: BenchSettings): number {
  return settings.latencyMs + settings.jitterMs / 2;
}

/** `--log-dir`: the raw material of the ratios, times relative to the scenario's start. */
async function saveRequestLog(settings: BenchSettings, name: string, observation: Observation): Promise<void> {
  if (settings.logDir === undefined) return;
  await mkdir(settings.logDir, { recursive: true });
  const standIns = observation.stats.map((stats) => ({
    requests: stats.requests,
    byStatus: stats.byStatus,
    requestLog: stats.requestLog.map(({ at, receivedAt, status, n }) => ({ ms: at - observation.startedAt, receivedMs: receivedAt - observation.startedAt, status, n })),
  }));
  await writeFile(
    join(settings.logDir, `${name}.json`),
    JSON.stringify({ settings: { ...settings, only: undefined }, items: observation.items, quotaPerMinute: observation.quotaPerMinute, standIns }, null, 1),
  );
}
