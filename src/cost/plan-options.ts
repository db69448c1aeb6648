import type { Config } from '../config/settings.js';
import { loadDeployments, poolModel } from '../deployments/deployment-spec.js';
import type { PlanOptions } from './estimate.js';
import { loadPriceTable } from './price-file.js';

/**
 * What a plan needs, from the configuration, as `run` and `enqueue` will use it: the model jobs are
 * enqueued for, the price table (with `--price-file`), and the pace, which with a deployments file is
 * the sum of that model's deployments' quotas (otherwise `--images-per-minute`). Throws ConfigError
 * for a bad price or deployments file.
 */
export function planOptions(config: Config, env: NodeJS.ProcessEnv = process.env): PlanOptions {
  const deployments = loadDeployments(config, env);
  const model = poolModel(deployments);
  const imagesPerMinute = deployments.filter((spec) => spec.model === model).reduce((sum, spec) => sum + spec.imagesPerMinute, 0);
  return { model, table: loadPriceTable(config.priceFile), imagesPerMinute };
}
