import type { Redis } from 'ioredis';
import { deploymentKey, deploymentRegistryKey, type DeploymentInfo } from './deployment-keys.js';

/** Minutes averaged for the usage figures: long enough to smooth pacing, short enough to be "now". */
export const USAGE_WINDOW_MINUTES = 5;

export interface DeploymentUsage extends DeploymentInfo {
  /** Images returned in the last USAGE_WINDOW_MINUTES complete minutes, per minute. */
  imagesPerMinuteRecent: number;
  /** Images so far in the current minute. */
  imagesThisMinute: number;
  /**
   * Images in the last 60 s, estimated from this minute and the one before as a sliding window
   * (the earlier minute weighted by how much of it the window still covers): the rate "now".
   */
  imagesLast60s: number;
  /** imagesLast60s over the quota: 1 is the goal while there is work. */
  utilisation: number;
  /** 429 answers in the last USAGE_WINDOW_MINUTES complete minutes and this one. */
  rateLimitedRecent: number;
  /** The deployment takes no request for this long (a 429 hold or an open breaker); 0 when it is taking work. */
  pausedForMs: number;
  /** Why it is paused: `rate-limited` (a 429's retry-after) or `breaker` (failures in a row). */
  pausedBecause?: 'rate-limited' | 'breaker' | undefined;
  /** Failures in a row counted by its breaker (reset by a success). */
  consecutiveFailures: number;
}

/**
 * What every registered deployment did lately, read from the counters the workers keep in Redis
 * (DeploymentPool): images per minute against the quota, 429s, and whether it is paused. One round
 * trip per deployment; times are Redis's, as the workers' counters are.
 */
export async function readDeploymentUsage(redis: Redis, keyBase: string): Promise<DeploymentUsage[]> {
  const [registry, [seconds, micros]] = await Promise.all([redis.hgetall(deploymentRegistryKey(keyBase)), redis.time()]);
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const minute = Math.floor(now / 60_000);
  const recentMinutes = Array.from({ length: USAGE_WINDOW_MINUTES }, (_, i) => minute - 1 - i);
  const infos = Object.values(registry).map((json) => JSON.parse(json) as DeploymentInfo).sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(
    infos.map(async (info) => {
      const images = deploymentKey(keyBase, info.name, 'images');
      const limited = deploymentKey(keyBase, info.name, 'rate-limited');
      const values = await redis.mget(
        `${images}:${minute}`,
        ...recentMinutes.map((m) => `${images}:${m}`),
        ...[minute, ...recentMinutes].map((m) => `${limited}:${m}`),
        deploymentKey(keyBase, info.name, 'failures'),
        deploymentKey(keyBase, info.name, 'paused'),
      );
      const [pausedUntil = '0', pausedBecause] = (values.pop() ?? '').split('|');
      const numbers = values.map((value) => Number(value ?? 0));
      const thisMinute = numbers[0]!;
      const recent = numbers.slice(1, 1 + USAGE_WINDOW_MINUTES).reduce((sum, n) => sum + n, 0) / USAGE_WINDOW_MINUTES;
      const rateLimitedRecent = numbers.slice(1 + USAGE_WINDOW_MINUTES, 2 + 2 * USAGE_WINDOW_MINUTES).reduce((sum, n) => sum + n, 0);
      const failures = numbers.at(-1)!;
      const previousMinute = numbers[1]!;
      const last60s = thisMinute + previousMinute * (1 - (now % 60_000) / 60_000);
      const pausedForMs = Math.max(0, Number(pausedUntil) - now);
      return {
        ...info,
        imagesPerMinuteRecent: recent,
        imagesThisMinute: thisMinute,
        imagesLast60s: last60s,
        utilisation: info.imagesPerMinute > 0 ? last60s / info.imagesPerMinute : 0,
        rateLimitedRecent,
        pausedForMs,
        pausedBecause: pausedForMs > 0 && (pausedBecause === 'rate-limited' || pausedBecause === 'breaker') ? pausedBecause : undefined,
        consecutiveFailures: failures,
      };
    }),
  );
}
