import { InputError } from '../errors/polyglyph-error.js';
import type { ImageQuality } from '../images/image-options.js';
import type { RunRecord } from '../runs/run-store.js';
import { formatUsd, usdToMicros } from './money.js';
import { imagePriceMicros, type PriceTable } from './price-table.js';
import { runCost } from './run-cost.js';

/**
 * The budget check of one more image in a run (a reviewer's re-render, a regeneration): the run's
 * cost so far (from usage, else its estimate) plus one image of this model, size and quality must stay
 * within POLYGLYPH_MAX_COST. Throws an InputError saying by how much it would not; nothing without a maximum.
 */
export function checkOneMoreImage(run: RunRecord, priceTable: PriceTable, maxCostUsd: number | undefined, image: { model: string; size: string; quality: string }): void {
  if (maxCostUsd === undefined) return;
  const max = usdToMicros(maxCostUsd);
  const price = imagePriceMicros(priceTable, image.model, image.size, image.quality as ImageQuality);
  if (price === undefined) throw new InputError(`cannot check POLYGLYPH_MAX_COST: no price for model ${image.model}`, { hint: 'add it to the price file (--price-file)' });
  const cost = runCost(run, priceTable);
  const spent = cost.actualMicros || cost.estimatedMicros || 0;
  if (spent + price > max) throw new InputError(`one more image (${formatUsd(price)}) would take run ${run.id} to ${formatUsd(spent + price)}, over POLYGLYPH_MAX_COST ${formatUsd(max)}`);
}
