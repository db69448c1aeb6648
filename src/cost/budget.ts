import { InputError } from '../errors/polyglyph-error.js';
import type { ManifestPlan } from './estimate.js';
import { formatUsd, usdToMicros } from './money.js';
import { noPriceMessage } from './price-table.js';

/**
 * Refuses a plan over budget (`--max-cost` / POLYGLYPH_MAX_COST, in USD; `undefined`: no budget) with
 * an InputError (exit 2), before anything is enqueued. A plan whose cost is unknown is refused too:
 * a budget that cannot be checked is not a budget.
 */
export function checkBudget(plan: Pick<ManifestPlan, 'model' | 'images' | 'costMicros' | 'unpricedModels'>, maxCostUsd: number | undefined): void {
  if (maxCostUsd === undefined) return;
  const budget = formatUsd(usdToMicros(maxCostUsd));
  // A run of several models with a price for only some cannot be checked either.
  if (plan.costMicros === undefined || (plan.unpricedModels?.length ?? 0) > 0) {
    const models = plan.unpricedModels?.join(', ') ?? plan.model;
    throw new InputError(`cannot check --max-cost ${budget}: ${noPriceMessage(models)}`, {
      hint: `give a price file with an entry for ${(plan.unpricedModels ?? [plan.model]).map((model) => `"${model}"`).join(' and ')} (--price-file / POLYGLYPH_PRICE_FILE), or drop --max-cost`,
    });
  }
  if (plan.costMicros > usdToMicros(maxCostUsd)) {
    throw new InputError(`the estimated cost ${formatUsd(plan.costMicros)} of ${plan.images} image${plan.images === 1 ? '' : 's'} exceeds --max-cost ${budget}; nothing is enqueued`, {
      hint: 'raise --max-cost (POLYGLYPH_MAX_COST), or ask for fewer or cheaper images: fewer variants or locales, lower quality, smaller sizes, or split the manifest',
    });
  }
}
