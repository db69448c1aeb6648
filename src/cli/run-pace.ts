import { registeredQuotas } from '../deployments/registered-quotas.js';
import type { RedisClient } from '../redis/connection.js';

/** The images per minute a run's estimate uses, where they come from, and a line saying so. */
export interface RunPace {
  imagesPerMinute: number;
  byModel: Record<string, number>;
  /** `workers`: every model's quota as its workers registered it; `local`: this shell's settings for all; `mixed`. */
  source: 'workers' | 'local' | 'mixed';
  note: string;
}

/**
 * The pace of a run of `models` for a producer without workers (`enqueue`, `scan`, the scheduler):
 * the quotas the running workers registered, model by model; for a model no worker registered yet,
 * the quota this shell is configured with (`localQuota`), and the note says which.
 */
export async function runPace(redis: RedisClient, keyBase: string, models: readonly string[], localQuota: (model: string) => number, localName: string): Promise<RunPace> {
  const registered = await registeredQuotas(redis, keyBase);
  const byModel: Record<string, number> = {};
  const fromWorkers: string[] = [];
  const fromShell: string[] = [];
  for (const model of models) {
    const entry = registered.get(model);
    if (entry) {
      byModel[model] = entry.imagesPerMinute;
      fromWorkers.push(`${model} on ${entry.deployments.join(', ')}`);
    } else {
      byModel[model] = localQuota(model);
      fromShell.push(model);
    }
  }
  const imagesPerMinute = Object.values(byModel).reduce((sum, quota) => sum + quota, 0);
  const source = fromShell.length === 0 ? 'workers' : fromWorkers.length === 0 ? 'local' : 'mixed';
  const head = `pace: ${imagesPerMinute} images/min`;
  let note: string;
  if (source === 'workers') note = `${head}, the quota of the deployments the running workers registered (${fromWorkers.join('; ')})`;
  else if (source === 'local') note = `${head} from ${localName} of this shell: no worker has registered a deployment of ${fromShell.join(', ')} yet`;
  else note = `${head}: the running workers' registered quota for ${fromWorkers.join('; ')}; ${localName} of this shell for ${fromShell.join(', ')} (no worker has registered it yet)`;
  return { imagesPerMinute, byModel, source, note };
}
