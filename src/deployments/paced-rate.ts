import type { RedisClient } from '../redis/connection.js';
import { runScript } from '../redis/scripts.js';
import { deploymentKey } from './deployment-keys.js';

/**
 * The images per minute deployment `name` is paced at now, across every worker: `configured`, or the
 * lower rate learned from its 429s (see LEARN_BETA in deployment-pool.ts). `keyBase` as the pool's.
 */
export async function pacedImagesPerMinute(redis: RedisClient, keyBase: string, name: string, configured: number): Promise<number> {
  return Number(await runScript(redis, 'learned-rate', [deploymentKey(keyBase, name, 'learned')], [String(configured)]));
}
