import { registeredQuotas } from '../deployments/registered-quotas.js';
import type { RedisClient } from '../redis/connection.js';
import type { RunRecord } from './run-store.js';

/** The pace an ETA is worked out at, and where it comes from (`the running workers' quota`). */
export interface EtaPace {
  imagesPerMinute: number;
  from: string;
}

/** Said when no worker registered the run's deployments and the ETA falls back to the recorded capacity. */
export const RECORDED_PACE = 'the quota when it was enqueued; no worker has registered its deployments';

/**
 * The pace the running workers will keep for the run's models: the quotas their deployments
 * registered; undefined when no worker registered one of the models (the run's recorded capacity is
 * used then, and said to be). `status` and the dashboard both show ETAs at this pace.
 */
export async function workersPace(redis: RedisClient, keyBase: string, run: RunRecord): Promise<EtaPace | undefined> {
  const registered = await registeredQuotas(redis, keyBase);
  const models = run.model
    .split(',')
    .map((model) => model.trim())
    .filter(Boolean);
  const entries = models.map((model) => registered.get(model));
  if (models.length === 0 || entries.some((entry) => entry === undefined)) return undefined;
  const imagesPerMinute = entries.reduce((sum, entry) => sum + entry!.imagesPerMinute, 0);
  return { imagesPerMinute, from: `the quota the running workers registered: ${entries.flatMap((entry) => entry!.deployments).join(', ')}` };
}
