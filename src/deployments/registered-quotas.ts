import type { RedisClient } from '../redis/connection.js';
import { deploymentRegistryKey, REGISTRATION_INTERVAL_MS, type DeploymentInfo } from './deployment-keys.js';

/** A model's deployments that running workers registered, and their quotas together. */
export interface RegisteredModel {
  imagesPerMinute: number;
  deployments: string[];
}

/**
 * The quotas of the deployments that running workers serve, by model, from what every worker
 * registers each REGISTRATION_INTERVAL_MS (DeploymentPool.register). A registration not repeated for
 * three intervals is a worker that stopped: not counted. These, not the quota the reading shell
 * happens to be configured with, are what the workers will pace a run at.
 */
export async function registeredQuotas(redis: RedisClient, keyBase: string, now = Date.now()): Promise<Map<string, RegisteredModel>> {
  const registry = await redis.hgetall(deploymentRegistryKey(keyBase));
  const byModel = new Map<string, RegisteredModel>();
  for (const json of Object.values(registry)) {
    let info: DeploymentInfo;
    try {
      info = JSON.parse(json) as DeploymentInfo;
    } catch {
      continue;
    }
    if (!(now - info.seenAt <= 3 * REGISTRATION_INTERVAL_MS) || !(info.imagesPerMinute > 0)) continue;
    const entry = byModel.get(info.model) ?? { imagesPerMinute: 0, deployments: [] };
    entry.imagesPerMinute += info.imagesPerMinute;
    entry.deployments.push(info.name);
    byModel.set(info.model, entry);
  }
  return byModel;
}
