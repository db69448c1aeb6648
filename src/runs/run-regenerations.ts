import type { RedisClient } from '../redis/connection.js';
import { runScript } from '../redis/scripts.js';
import type { RunKeys } from './run-keys.js';

/** What became of one regeneration (--regenerate-on-mismatch), stored by the flagged image's blob name. */
export interface RegenerationState {
  /** The flagged image. */
  blobName: string;
  id: string;
  locale: string;
  model: string;
  /** The flagged image's variant. */
  variant: number;
  /** The variant rendered in its place, once enqueued. */
  newVariant?: number;
  /** Why no variant was rendered (the budget, a manifest row gone); absent when one was. */
  refused?: string;
  /** Set once the run no longer waits for this claim. */
  released?: boolean;
}

export type ClaimResult = { outcome: 'new'; count: number } | { outcome: 'held' | 'done'; state: RegenerationState } | { outcome: 'limit'; count: number };

/** The key of an item within a run: the same (id, locale, model) across its variants. */
export function regenerationItemKey(id: string, locale: string, model: string): string {
  return `${id}\u0000${locale}\u0000${model}`;
}

/** Claims a regeneration of `state.blobName`'s item, at most `limit` per item (commands/claim-regeneration-3.lua). */
export async function claimRegeneration(redis: RedisClient, keys: RunKeys, runId: string, state: RegenerationState, limit: number): Promise<ClaimResult> {
  const [outcome, value] = (await runScript(
    redis,
    'claim-regeneration',
    [keys.run(runId), keys.regenerationCounts(runId), keys.regenerationClaims(runId)],
    [regenerationItemKey(state.id, state.locale, state.model), state.blobName, String(limit), JSON.stringify(state)],
  )) as [string, string | number];
  if (outcome === 'held' || outcome === 'done') return { outcome, state: JSON.parse(String(value)) as RegenerationState };
  return { outcome: outcome === 'new' ? 'new' : 'limit', count: Number(value) };
}

/** Records a claim's outcome and lets the run finish. True when this finished the run (write its report). */
export async function releaseRegeneration(redis: RedisClient, keys: RunKeys, runId: string, state: RegenerationState): Promise<boolean> {
  return Number(await runScript(redis, 'release-regeneration', [keys.run(runId), keys.regenerationClaims(runId)], [state.blobName, JSON.stringify({ ...state, released: true })])) === 1;
}

/** Every regeneration claim of a run, by flagged blob name. */
export async function loadRegenerations(redis: RedisClient, keys: RunKeys, runId: string): Promise<RegenerationState[]> {
  const hash = await redis.hgetall(keys.regenerationClaims(runId));
  return Object.values(hash).map((value) => JSON.parse(value) as RegenerationState);
}
