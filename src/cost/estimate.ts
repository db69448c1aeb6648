import type { LocaleCode } from '../locales/registry.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import type { ModelProviders } from '../image-api/provider.js';
import { durationAtQuotaMs } from './duration.js';
import { ImageTally } from './image-tally.js';
import { pricePerImageMicros, type PriceTable } from './price-table.js';

export interface CostEstimateOptions {
  /** The model jobs are enqueued for (the deployment name on Azure): the price table's key. */
  model: string;
  table: PriceTable;
}

export interface CostEstimate {
  /** Micro-dollars for every image (of the models with a price). */
  costMicros: number;
  costByLocale: Partial<Record<LocaleCode, number>>;
  /** Where the prices come from (the built-in list prices or a price file). */
  priceSource: string;
  /** Micro-dollars per model with a price. */
  costByModel: Record<string, number>;
  /** Models of the tally without a price (their images are not in `costMicros`); absent when none. */
  unpricedModels?: string[];
}

/**
 * What the tallied images cost at the table's prices, or `undefined` when it has a price for none of
 * their models (a group without a model is `model`'s). Images of models without a price are left out
 * and named in `unpricedModels`. Counts every image asked for: images already stored are skipped at
 * run time and cost nothing, retries of failures cost more, and prompt tokens (about $5 per million)
 * are left out, so this is the price of the images, not a bill.
 */
export function estimateCost(tally: Pick<ImageTally, 'groups'>, { model, table }: CostEstimateOptions): CostEstimate | undefined {
  let costMicros = 0;
  const costByLocale: Partial<Record<LocaleCode, number>> = {};
  const costByModel: Record<string, number> = Object.create(null) as Record<string, number>;
  const sources = new Set<string>();
  const unpriced = new Set<string>();
  for (const group of tally.groups()) {
    const groupModel = group.model ?? model;
    const prices = table.get(groupModel);
    if (!prices) {
      unpriced.add(groupModel);
      continue;
    }
    sources.add(prices.source);
    const micros = pricePerImageMicros(prices, group.size, group.quality) * group.images;
    costMicros += micros;
    costByLocale[group.locale] = (costByLocale[group.locale] ?? 0) + micros;
    costByModel[groupModel] = (costByModel[groupModel] ?? 0) + micros;
  }
  if (sources.size === 0) return undefined;
  return { costMicros, costByLocale, priceSource: [...sources].join('; '), costByModel, ...(unpriced.size > 0 ? { unpricedModels: [...unpriced] } : {}) };
}

export interface PlanOptions extends CostEstimateOptions {
  /** The quota the run will be paced at (all deployments of the model together). */
  imagesPerMinute: number;
  /** Each served model's quota (the sum of its deployments'), for runs that name several models. */
  imagesPerMinuteByModel?: Readonly<Record<string, number>> | undefined;
}

/** One model's part of a plan that names models. */
export interface ModelPlan {
  model: string;
  images: number;
  /** Micro-dollars; `undefined` when the price table has no price for the model. */
  costMicros: number | undefined;
  imagesPerMinute: number;
  durationMs: number;
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
  /**
   * Per model, when rows name their models (--models or a model cell); then `model` lists them,
   * `imagesPerMinute` is their quotas together and `durationMs` the slowest model's time (models
   * have their own deployments and run side by side). Absent for a run of the default model alone.
   */
  byModel?: ModelPlan[];
  /** Models without a price: their images are not in `costMicros` (undefined when no model has one). */
  unpricedModels?: string[];
}

/** An empty tally for a plan, for a caller that feeds it the items of a pass it makes anyway. */
export function planTally(defaults: ManifestDefaults, options: PlanOptions & { providers?: ModelProviders | undefined }): ImageTally {
  return new ImageTally({ defaultModel: options.model, providers: options.providers ?? defaults.providers });
}

/** The plan of images already tallied, for a caller that reads the manifest itself. */
export function planFromTally(tally: ImageTally, options: PlanOptions): ManifestPlan {
  const estimate = estimateCost(tally, options);
  const plan: ManifestPlan = {
    model: options.model,
    imagesPerMinute: options.imagesPerMinute,
    images: tally.images,
    imagesByLocale: { ...tally.imagesByLocale },
    costMicros: estimate?.costMicros,
    costByLocale: estimate?.costByLocale,
    priceSource: estimate?.priceSource,
    durationMs: durationAtQuotaMs(tally.images, options.imagesPerMinute),
  };
  if (!tally.namesModels) return plan;
  // Rows that name no model are the default model's: one entry per model.
  const imagesByModel = new Map<string, number>();
  for (const [model, images] of tally.imagesByModel) imagesByModel.set(model ?? options.model, (imagesByModel.get(model ?? options.model) ?? 0) + images);
  const byModel = [...imagesByModel].map(([model, images]): ModelPlan => {
    const imagesPerMinute = options.imagesPerMinuteByModel?.[model] ?? options.imagesPerMinute;
    const priced = options.table.has(model);
    return { model, images, costMicros: priced ? (estimate?.costByModel[model] ?? 0) : undefined, imagesPerMinute, durationMs: durationAtQuotaMs(images, imagesPerMinute) };
  });
  const unpriced = byModel.filter((entry) => entry.costMicros === undefined).map((entry) => entry.model);
  return {
    ...plan,
    model: byModel.map((entry) => entry.model).join(', '),
    imagesPerMinute: byModel.reduce((sum, entry) => sum + entry.imagesPerMinute, 0),
    durationMs: Math.max(0, ...byModel.map((entry) => entry.durationMs)),
    byModel,
    ...(unpriced.length > 0 ? { unpricedModels: unpriced } : {}),
  };
}
