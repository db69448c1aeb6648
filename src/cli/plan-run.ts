import type { Config } from '../config/settings.js';
import { checkBudget } from '../cost/budget.js';
import { planFromTally, planTally } from '../cost/estimate.js';
import { formatPlan } from '../cost/format-plan.js';
import { planOptions } from '../cost/plan-options.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import type { EnqueueManifestOptions } from '../queue/enqueue-manifest.js';

/**
 * The `beforeEnqueue` step of `run` and `enqueue`: prints what the run will make, cost and take, and
 * refuses it (exit 2, nothing enqueued) when the estimate is over `--max-cost`.
 */
export function planStep(defaults: ManifestDefaults, config: Config, out: NodeJS.WritableStream, imagesPerMinute?: number): Pick<EnqueueManifestOptions, 'onValidItem' | 'beforeEnqueue'> {
  // Read before the manifest: a bad price or deployments file is reported without a long wait.
  const base = planOptions(config);
  const options = imagesPerMinute === undefined ? base : { ...base, imagesPerMinute };
  // The validation pass feeds the tally, so planning costs no pass of its own over the manifest.
  const tally = planTally(defaults, options);
  return {
    onValidItem: (item) => tally.add(item),
    beforeEnqueue: () => {
      const plan = planFromTally(tally, options);
      out.write(`${formatPlan(plan)}\n`);
      checkBudget(plan, config.maxCost);
      // A cost that leaves out models without a price is not the run's estimate.
      return Promise.resolve({ estimatedCostMicros: plan.unpricedModels ? undefined : plan.costMicros });
    },
  };
}
