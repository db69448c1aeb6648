import type { LocaleCode } from '../locales/registry.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { readManifest } from '../manifest/read-manifest.js';
import { durationAtQuotaMs } from './duration.js';
import { ImageTally } from './image-tally.js';
import { pricePerImageMicros, type PriceTable } from './price-table.js';

export interface CostEstimateOptions {
  /** The model jobs are enqueued for (the deployment name on Azure): the price table's key. */
  model: string;
  table: PriceTable;
}

export interface CostEstimate {
  /** Micro-dollars for every image. */
  costMicros: number;
  costByLocale: Partial<Record<LocaleCode, number>>;
  /** Where the prices come from (the built-in list prices or a price file). */
  priceSource: string;
}

/**
 * What the tallied images cost at the table's prices, or `undefined` when it has no price for the
 * model. Counts every image asked for: images already stored are skipped at run time and cost
 * nothing, retries of failures cost more, and prompt tokens (about $5 per million) are left out, so
 * this is the price of the images, not a bill.
 */
export function estimateCost(tally: Pick<ImageTally, 'groups'>, { model, table }: CostEstimateOptions): CostEstimate | undefined {
  const prices = table.get(model);
  if (!prices) return undefined;
  let costMicros = 0;
  const costByLocale: Partial<Record<LocaleCode, number>> = {};
  for (const group of tally.groups()) {
    const micros = pricePerImageMicros(prices, group.size, group.quality) * group.images;
    costMicros += micros;
    costByLocale[group.locale] = (costByLocale[group.locale] ?? 0) + micros;
  }
  return { costMicros, costByLocale, priceSource: prices.source };
}

export interface PlanOptions extends CostEstimateOptions {
  /** The quota the run will be paced at (all deployments of the model together). */
  imagesPerMinute: number;
}

/** What a manifest will make, cost and take, before anything is enqueued or spent. */
export interface ManifestPlan {
  model: string;
  imagesPerMinute: number;
  images: number;
  imagesByLocale: Partial<Record<LocaleCode, number>>;
  /** Micro-dollars; `undefined` when the price table has no price for the model. */
  costMicros: number | undefined;
  /** Micro-dollars per locale; `undefined` with `costMicros`. */
  costByLocale: Partial<Record<LocaleCode, number>> | undefined;
  priceSource: string | undefined;
  /** At `imagesPerMinute`, which is the bottleneck; time per request overlaps and is not added. */
  durationMs: number;
}

/**
 * Plans a manifest in one streaming pass of its own (flat memory, like validation): the valid rows'
 * images by locale, size and quality, priced and timed. Rows with errors are not counted.
 */
export async function planManifest(path: string, defaults: ManifestDefaults, options: PlanOptions): Promise<ManifestPlan> {
  const tally = new ImageTally();
  for await (const event of readManifest(path, defaults)) {
    if (event.type === 'item') tally.add(event.item);
  }
  return planFromTally(tally, options);
}

/** The plan of images already tallied, for a caller that reads the manifest itself. */
export function planFromTally(tally: ImageTally, options: PlanOptions): ManifestPlan {
  const estimate = estimateCost(tally, options);
  return {
    model: options.model,
    imagesPerMinute: options.imagesPerMinute,
    images: tally.images,
    imagesByLocale: { ...tally.imagesByLocale },
    costMicros: estimate?.costMicros,
    costByLocale: estimate?.costByLocale,
    priceSource: estimate?.priceSource,
    durationMs: durationAtQuotaMs(tally.images, options.imagesPerMinute),
  };
}
