import type { RedisClient } from '../redis/connection.js';
import { formatDuration } from '../cost/duration.js';
import { deploymentKey, deploymentRegistryKey, REGISTRATION_INTERVAL_MS, type DeploymentInfo } from './deployment-keys.js';
import { USAGE_BUCKET_MS } from './usage-counters.js';
import { pacedImagesPerMinute } from './paced-rate.js';

/** Minutes averaged for the usage figures: long enough to smooth pacing, short enough to be "now". */
export const USAGE_WINDOW_MINUTES = 5;

const BUCKETS_PER_MINUTE = 60_000 / USAGE_BUCKET_MS;
const WINDOW_BUCKETS = USAGE_WINDOW_MINUTES * BUCKETS_PER_MINUTE;

export interface DeploymentUsage extends DeploymentInfo {
  /**
   * Images returned in the last 60 s: the buckets the window covers, the oldest one weighted by the
   * share of it still inside (the counters are USAGE_BUCKET_MS wide). The rate "now".
   */
  imagesLast60s: number;
  /** imagesLast60s over the quota: 1 is the goal while there is work. */
  utilisation: number;
  /** Images per minute over the last USAGE_WINDOW_MINUTES minutes. */
  imagesPerMinuteRecent: number;
  /** 429 answers in the last USAGE_WINDOW_MINUTES minutes. */
  rateLimitedRecent: number;
  /** The deployment takes no request for this long (a 429 hold or an open breaker); 0 when it is taking work. */
  pausedForMs: number;
  /** Why it is paused: `rate-limited` (a 429's retry-after) or `breaker` (failures in a row). */
  pausedBecause?: 'rate-limited' | 'breaker' | undefined;
  /** Failures in a row counted by its breaker (reset by a success). */
  consecutiveFailures: number;
  /**
   * The breaker tripped and its hold is over, but no request has succeeded since (half-open): `trial-out`
   * while the one trial request is in flight (nobody else is admitted), `next-is-trial` until one is sent.
   */
  halfOpen?: 'trial-out' | 'next-is-trial' | undefined;
  /** The rate every worker paces it at now: its quota, or less while a rate learned from 429s holds. */
  pacedImagesPerMinute: number;
  /** No running worker has served it for this long (a few registration intervals); 0 while one does. */
  unservedForMs: number;
}

/**
 * What every registered deployment did lately, read from the counters the workers keep in Redis
 * (DeploymentPool): images against the quota, 429s, and whether it is paused. One round trip per
 * deployment; times are Redis's, as the workers' counters are.
 */
export async function readDeploymentUsage(redis: RedisClient, keyBase: string): Promise<DeploymentUsage[]> {
  const [registry, [seconds, micros]] = await Promise.all([redis.hgetall(deploymentRegistryKey(keyBase)), redis.time()]);
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const current = Math.floor(now / USAGE_BUCKET_MS);
  // Newest first: the current bucket, then the WINDOW_BUCKETS before it.
  const buckets = Array.from({ length: WINDOW_BUCKETS + 1 }, (_, back) => current - back);
  const infos = Object.values(registry)
    .map((json) => JSON.parse(json) as DeploymentInfo)
    .sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(
    infos.map(async (info) => {
      const images = deploymentKey(keyBase, info.name, 'images');
      const limited = deploymentKey(keyBase, info.name, 'rate-limited');
      // One slot for all of them (the prefix's hash tag), so MGET is fine on a cluster as well.
      const [imageValues, limitedValues, states, trips, trialLeftMs, pacedImagesPerMinute] = await Promise.all([
        redis.hmget(images, ...buckets.map(String)),
        redis.hmget(limited, ...buckets.map(String)),
        redis.mget(deploymentKey(keyBase, info.name, 'failures'), deploymentKey(keyBase, info.name, 'paused')),
        redis.get(deploymentKey(keyBase, info.name, 'trips')),
        redis.pttl(deploymentKey(keyBase, info.name, 'trial')),
        pacedRate(redis, keyBase, info),
      ]);
      const values = [...imageValues, ...limitedValues, ...states];
      const [pausedUntil = '0', pausedBecause] = (values.pop() ?? '').split('|');
      const numbers = values.map((value) => Number(value ?? 0));
      const imageCounts = numbers.slice(0, buckets.length);
      const limitedCounts = numbers.slice(buckets.length, 2 * buckets.length);
      const consecutiveFailures = numbers.at(-1)!;
      const sum = (counts: number[]): number => counts.reduce((total, n) => total + n, 0);
      // The window [now - 60 s, now] covers the current bucket in part, the next ones whole, and
      // the share of the oldest that the current one has not yet made up.
      const intoCurrent = (now % USAGE_BUCKET_MS) / USAGE_BUCKET_MS;
      const imagesLast60s = sum(imageCounts.slice(0, BUCKETS_PER_MINUTE)) + imageCounts[BUCKETS_PER_MINUTE]! * (1 - intoCurrent);
      const pausedForMs = Math.max(0, Number(pausedUntil) - now);
      return {
        ...info,
        imagesLast60s,
        utilisation: info.imagesPerMinute > 0 ? imagesLast60s / info.imagesPerMinute : 0,
        imagesPerMinuteRecent: (sum(imageCounts.slice(0, WINDOW_BUCKETS)) + imageCounts[WINDOW_BUCKETS]! * (1 - intoCurrent)) / USAGE_WINDOW_MINUTES,
        rateLimitedRecent: sum(limitedCounts),
        pausedForMs,
        pausedBecause: pausedForMs > 0 && (pausedBecause === 'rate-limited' || pausedBecause === 'breaker') ? pausedBecause : undefined,
        consecutiveFailures,
        // Tripped (trips are cleared by the next success) and no longer held: the next request is the trial.
        halfOpen: Number(trips ?? 0) > 0 && pausedForMs === 0 ? (trialLeftMs > 0 ? 'trial-out' : 'next-is-trial') : undefined,
        pacedImagesPerMinute,
        // Three missed registrations: no worker with this deployment is running.
        unservedForMs: now - info.seenAt > 3 * REGISTRATION_INTERVAL_MS ? now - info.seenAt : 0,
      };
    }),
  );
}

/** A deployment registered by a worker of an older Polyglyph may lack a quota: paced at what it says, if anything. */
function pacedRate(redis: RedisClient, keyBase: string, info: DeploymentInfo): Promise<number> {
  return info.imagesPerMinute > 0 ? pacedImagesPerMinute(redis, keyBase, info.name, info.imagesPerMinute) : Promise.resolve(0);
}

export type DeploymentCondition = 'taking-work' | 'paused' | 'half-open' | 'failing' | 'unserved';

/** One line on a deployment's state, for the dashboard and `polyglyph status`. */
export function describeDeploymentState(usage: DeploymentUsage): { condition: DeploymentCondition; text: string } {
  if (usage.unservedForMs > 0) return { condition: 'unserved', text: `no worker for ${formatDuration(usage.unservedForMs)}` };
  if (usage.pausedForMs > 0) {
    const why = usage.pausedBecause === 'breaker' ? 'circuit breaker open' : usage.pausedBecause === 'rate-limited' ? 'held after a 429' : 'paused';
    return { condition: 'paused', text: `${why}, ${formatDuration(usage.pausedForMs)} left` };
  }
  if (usage.halfOpen === 'trial-out') return { condition: 'half-open', text: 'circuit breaker half-open: one trial request out' };
  if (usage.halfOpen === 'next-is-trial') return { condition: 'half-open', text: 'circuit breaker half-open: the next request is a trial' };
  if (usage.consecutiveFailures > 0) return { condition: 'failing', text: `${usage.consecutiveFailures} failure${usage.consecutiveFailures === 1 ? '' : 's'} in a row` };
  // Below the quota: a rate learned from 429s holds (see docs/quota-learning.md).
  if (usage.pacedImagesPerMinute > 0 && usage.pacedImagesPerMinute < usage.imagesPerMinute)
    return { condition: 'taking-work', text: `taking work at ${usage.pacedImagesPerMinute.toFixed(usage.pacedImagesPerMinute >= 10 ? 0 : 1)}/min, learned from 429s` };
  return { condition: 'taking-work', text: 'taking work' };
}
