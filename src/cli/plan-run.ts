import type { Config } from '../config/settings.js';
import { checkBudget } from '../cost/budget.js';
import { planManifest } from '../cost/estimate.js';
import { formatPlan } from '../cost/format-plan.js';
import { planOptions } from '../cost/plan-options.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';

/**
 * The `beforeEnqueue` step of `run` and `enqueue`: prints what the run will make, cost and take, and
 * refuses it (exit 2, nothing enqueued) when the estimate is over `--max-cost`.
 */
export function planStep(manifestPath: string, defaults: ManifestDefaults, config: Config, out: NodeJS.WritableStream, imagesPerMinute?: number): () => Promise<{ estimatedCostMicros?: number | undefined }> {
  return async () => {
    const options = planOptions(config);
    const plan = await planManifest(manifestPath, defaults, imagesPerMinute === undefined ? options : { ...options, imagesPerMinute });
    out.write(`${formatPlan(plan)}\n`);
    checkBudget(plan, config.maxCost);
    // A cost that leaves out models without a price is not the run's estimate.
    return { estimatedCostMicros: plan.unpricedModels ? undefined : plan.costMicros };
  };
}
