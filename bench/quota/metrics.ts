// Ratios from the stand-in's own request log: its timestamps are server-side, so they measure what
// the deployment saw, whatever the client believes it did.
import type { MockImageApiStats } from '../../src/mock-api/server.js';

export type RequestLogEntry = MockImageApiStats['requestLog'][number];

/** What one scenario produced, from one or more stand-ins (the pool has three). */
export interface Observation {
  items: number;
  /** Sum of the stand-ins' quotas, images per minute. */
  quotaPerMinute: number;
  /** Epoch ms when the work became available: before the first request of a baseline, the run's start for Polyglyph. */
  startedAt: number;
  stats: MockImageApiStats[];
  failedItems: number;
  /** The rate the workers were paced at (configured or learned, summed over deployments), sampled while the run went; Polyglyph only. */
  pacedSamples?: ReadonlyArray<{ at: number; perMinute: number }> | undefined;
  /** A window (epoch ms) whose images per minute are measured against `quotaPerMinute` on their own: the quota raised mid-run. */
  window?: { fromMs: number; toMs: number } | undefined;
}

export interface ScenarioMetrics {
  steadyImagesPerMinute: number;
  /** steadyImagesPerMinute / quota. */
  utilisation: number;
  requests: number;
  rateLimited: number;
  /** 429 responses / requests. */
  rateLimitedRatio: number;
  imagesGenerated: number;
  /** Images paid for more than once for the same prompt. */
  duplicateImages: number;
  makespanMs: number;
  /** makespan / (N / Q): 1 would be every image admitted at the quota rate from t=0 and answered instantly. */
  makespanRatio: number;
  failedItems: number;
  byStatus: Record<string, number>;
  /**
   * Achieved against requested, over the steady window (the trimmed successes' first to last answer):
   * requests that reached the stand-in per minute (any status), and the mean rate the workers were
   * paced at (NaN for the baselines, which have no pacer). sent well under paced: the workers did
   * not keep up (a starved machine), and the 429 share flatters them.
   */
  sentPerMinute: number;
  pacedPerMinute: number;
  /** Mean stand-in time of a 200 (arrival to answer), to set against the latency it was told to keep. */
  meanAnswerMs: number;
  /** Images answered in `observation.window`, per minute, over the quota; undefined without a window. */
  windowUtilisation?: number | undefined;
}

/** The first and last 10% of successful responses are warm-up and tail, not the steady state. */
const TRIM_FRACTION = 0.1;

export function computeMetrics(observation: Observation): ScenarioMetrics {
  const log = observation.stats.flatMap((stats) => stats.requestLog);
  const successes = log.filter((entry) => entry.status === 200).sort((a, b) => a.at - b.at);
  const requests = sum(observation.stats.map((stats) => stats.requests));
  const rateLimited = sum(observation.stats.map((stats) => stats.rateLimited));
  const imagesGenerated = sum(observation.stats.map((stats) => stats.imagesGenerated));
  const steadyImagesPerMinute = steadyRate(successes);
  const lastSuccessAt = successes.at(-1)?.at;
  const makespanMs = lastSuccessAt === undefined ? Number.NaN : lastSuccessAt - observation.startedAt;
  const idealMs = (observation.items / observation.quotaPerMinute) * 60_000;
  const byStatus: Record<string, number> = {};
  for (const stats of observation.stats) for (const [status, count] of Object.entries(stats.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + count;
  return {
    steadyImagesPerMinute,
    utilisation: steadyImagesPerMinute / observation.quotaPerMinute,
    requests,
    rateLimited,
    rateLimitedRatio: requests === 0 ? Number.NaN : rateLimited / requests,
    imagesGenerated,
    duplicateImages: sum(observation.stats.flatMap((stats) => Object.values(stats.generationsByPrompt).map((count) => Math.max(0, count - 1)))),
    makespanMs,
    makespanRatio: makespanMs / idealMs,
    failedItems: observation.failedItems,
    byStatus,
    ...achievedRates(log, successes, observation.pacedSamples),
    windowUtilisation: observation.window === undefined ? undefined : windowRate(successes, observation.window) / observation.quotaPerMinute,
  };
}

/**
 * The least-squares slope of "images answered so far" against time, over the trimmed window. Not
 * (last - first) / span: each answer time carries its own latency jitter (up to 3 s at the defaults),
 * which on a 50 s window moves a two-point estimate by several percent either way; a fit over every
 * point in the window averages the jitter out.
 */
export function steadyRate(successes: readonly RequestLogEntry[]): number {
  const trim = Math.floor(successes.length * TRIM_FRACTION);
  const window = successes.slice(trim, successes.length - trim);
  if (window.length < 3) return Number.NaN;
  let cumulative = 0;
  const points = window.map((entry) => ({ x: entry.at, y: (cumulative += entry.n) }));
  const meanX = sum(points.map((p) => p.x)) / points.length;
  const meanY = sum(points.map((p) => p.y)) / points.length;
  const sxx = sum(points.map((p) => (p.x - meanX) ** 2));
  const sxy = sum(points.map((p) => (p.x - meanX) * (p.y - meanY)));
  return sxx > 0 ? (sxy / sxx) * 60_000 : Number.NaN;
}

function achievedRates(
  log: readonly RequestLogEntry[],
  successes: readonly RequestLogEntry[],
  pacedSamples: Observation['pacedSamples'],
): Pick<ScenarioMetrics, 'sentPerMinute' | 'pacedPerMinute' | 'meanAnswerMs'> {
  const trim = Math.floor(successes.length * TRIM_FRACTION);
  const window = successes.slice(trim, successes.length - trim);
  const meanAnswerMs = successes.length === 0 ? Number.NaN : sum(successes.map((entry) => entry.at - entry.receivedAt)) / successes.length;
  if (window.length < 3) return { sentPerMinute: Number.NaN, pacedPerMinute: Number.NaN, meanAnswerMs };
  const from = window[0]!.at;
  const to = window.at(-1)!.at;
  const sent = log.filter((entry) => entry.receivedAt >= from && entry.receivedAt < to).length;
  const samples = (pacedSamples ?? []).filter((sample) => sample.at >= from && sample.at < to);
  return {
    sentPerMinute: (sent / (to - from)) * 60_000,
    pacedPerMinute: samples.length === 0 ? Number.NaN : sum(samples.map((sample) => sample.perMinute)) / samples.length,
    meanAnswerMs,
  };
}

/** Images answered within [fromMs, toMs), per minute. */
function windowRate(successes: readonly RequestLogEntry[], window: { fromMs: number; toMs: number }): number {
  const images = sum(successes.filter((entry) => entry.at >= window.fromMs && entry.at < window.toMs).map((entry) => entry.n));
  return (images / (window.toMs - window.fromMs)) * 60_000;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
