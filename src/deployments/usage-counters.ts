import type { RedisClient } from '../redis/connection.js';
import { runScript } from '../redis/scripts.js';

/** Width of the usage counters' buckets: fine enough that "the last 60 s" is exact to a sixth. */
export const USAGE_BUCKET_MS = 10_000;
/** Buckets kept: two hours. */
export const USAGE_BUCKETS_KEPT = (2 * 60 * 60 * 1000) / USAGE_BUCKET_MS;

/**
 * Counts `n` events (images, 429s) of a deployment in the current bucket of Redis time
 * (commands/count-now-1.lua): one hash per deployment and event, field = bucket number, so the
 * script is given its one key rather than building a key per bucket.
 */
export async function countNow(redis: RedisClient, key: string, n: number): Promise<void> {
  await runScript(redis, 'count-now', [key], [String(n), String(USAGE_BUCKET_MS), String(USAGE_BUCKETS_KEPT)]);
}
