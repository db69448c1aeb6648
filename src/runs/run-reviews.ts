import type { RedisClient } from '../redis/connection.js';
import type { RunKeys } from './run-keys.js';

export type ReviewDecision = 'approved' | 'rejected';

export interface ImageReview {
  decision: ReviewDecision;
  /** Epoch ms. */
  at: number;
  /** Who decided: the dashboard user, or `anonymous` on an unauthenticated loopback dashboard. */
  by: string;
}

const key = (keys: RunKeys, runId: string): string => `${keys.run(runId)}:reviews`;

/** Records a reviewer's decision on one image of a run (`<run>:reviews`, blob name -> review). The last decision wins. */
export async function saveReview(redis: RedisClient, keys: RunKeys, runId: string, blobName: string, review: ImageReview): Promise<void> {
  await redis.hset(key(keys, runId), blobName, JSON.stringify(review));
}

/** Every review of a run, by blob name. */
export async function loadReviews(redis: RedisClient, keys: RunKeys, runId: string): Promise<Map<string, ImageReview>> {
  const all = await redis.hgetall(key(keys, runId));
  return new Map(Object.entries(all).map(([name, value]) => [name, JSON.parse(value) as ImageReview]));
}
