import type { Config } from '../config/settings.js';
import { loadDeployments } from '../deployments/deployment-spec.js';
import { runModels } from '../deployments/run-models.js';
import type { PlanOptions } from './estimate.js';
import { loadPriceTable } from './price-file.js';

/**
 * What a plan needs, from the configuration, as `run` and `enqueue` will use it: the run's default
 * model (run-models.ts), the price table (with `--price-file`), and the pace, which with a deployments
 * file is the sum of the run's models' deployments' quotas (otherwise `--images-per-minute`), with
 * each model's own quota for plans per model. Throws ConfigError for a bad price or deployments file
 * and for `--models` naming a model no deployment serves.
 */
export function planOptions(config: Config, env: NodeJS.ProcessEnv = process.env): PlanOptions {
  const deployments = loadDeployments(config, env);
  const { defaultModel: model, named, served } = runModels(config, deployments);
  const quota = (name: string): number => deployments.filter((spec) => spec.model === name).reduce((sum, spec) => sum + spec.imagesPerMinute, 0);
  // Models run side by side on their own deployments; a run of named models is paced at their quotas together.
  const imagesPerMinute = (named ?? [model]).reduce((sum, name) => sum + quota(name), 0);
  const imagesPerMinuteByModel = Object.fromEntries(served.map((name) => [name, quota(name)]));
  return { model, table: loadPriceTable(config.priceFile), imagesPerMinute, imagesPerMinuteByModel };
}
