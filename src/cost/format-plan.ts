import type { LocaleCode } from '../locales/registry.js';
import type { ManifestPlan, ModelPlan } from './estimate.js';
import { formatDuration } from './duration.js';
import { formatUsd } from './money.js';
import { noPriceMessage } from './price-table.js';

/**
 * The plan as lines for a terminal, e.g.
 * ```
 * plan: 19 images on gpt-image-2 (ja 4, ko 4, hi 3, bn 3, zh-Hans 3, zh-Hant 2)
 * estimated cost: $1.48 (ja $0.37, ...); OpenAI's list prices (Azure publishes none for gpt-image-2), prompt tokens not included
 * estimated duration: 3 min at 6 images/min
 * ```
 */
export function formatPlan(plan: ManifestPlan): string {
  if (plan.byModel) return formatModelsPlan(plan, plan.byModel);
  const images = `${plan.images} image${plan.images === 1 ? '' : 's'}`;
  const perLocale = Object.entries(plan.imagesByLocale)
    .map(([locale, count]) => `${locale} ${count}`)
    .join(', ');
  const lines = [`plan: ${images} on ${plan.model}${perLocale ? ` (${perLocale})` : ''}`];
  if (plan.costMicros === undefined) {
    lines.push(`estimated cost: unknown: ${noPriceMessage(plan.model)}`);
  } else {
    // In the order of the image counts above, so the two lines read side by side.
    const costPerLocale = (Object.keys(plan.imagesByLocale) as LocaleCode[]).map((locale) => `${locale} ${formatUsd(plan.costByLocale?.[locale] ?? 0)}`).join(', ');
    lines.push(`estimated cost: ${formatUsd(plan.costMicros)}${costPerLocale ? ` (${costPerLocale})` : ''}; ${plan.priceSource ?? 'price table'}, prompt tokens not included`);
  }
  lines.push(`estimated duration: ${formatDuration(plan.durationMs)} at ${plan.imagesPerMinute} image${plan.imagesPerMinute === 1 ? '' : 's'}/min`);
  return `${lines.join('\n')}\n`;
}

/**
 * A plan that names its models, per model, e.g.
 * ```
 * plan: 8 images on gpt-image-2, MAI-Image-2e (ja 4, ko 4); gpt-image-2 4, MAI-Image-2e 4
 * estimated cost: $0.212 for gpt-image-2; MAI-Image-2e unknown: no price for model MAI-Image-2e; add it with --price-file; OpenAI's list prices (...), prompt tokens not included
 * estimated duration: 40 s (gpt-image-2 4 images at 6 images/min, MAI-Image-2e 4 at 6 images/min)
 * ```
 */
function formatModelsPlan(plan: ManifestPlan, byModel: ModelPlan[]): string {
  const images = `${plan.images} image${plan.images === 1 ? '' : 's'}`;
  const perLocale = Object.entries(plan.imagesByLocale)
    .map(([locale, count]) => `${locale} ${count}`)
    .join(', ');
  const perModel = byModel.map((entry) => `${entry.model} ${entry.images}`).join(', ');
  const lines = [`plan: ${images} on ${plan.model}${perLocale ? ` (${perLocale})` : ''}; ${perModel}`];
  const priced = byModel.filter((entry) => entry.costMicros !== undefined);
  const unpriced = byModel.filter((entry) => entry.costMicros === undefined).map((entry) => `${entry.model} unknown: ${noPriceMessage(entry.model)}`);
  if (priced.length === 0) {
    lines.push(`estimated cost: unknown: ${noPriceMessage(byModel.map((entry) => entry.model).join(', '))}`);
  } else {
    const known =
      priced.length === 1 && unpriced.length > 0
        ? `${formatUsd(plan.costMicros ?? 0)} for ${priced[0]!.model}`
        : `${formatUsd(plan.costMicros ?? 0)} (${priced.map((entry) => `${entry.model} ${formatUsd(entry.costMicros ?? 0)}`).join(', ')})`;
    lines.push(`estimated cost: ${[known, ...unpriced].join('; ')}; ${plan.priceSource ?? 'price table'}, prompt tokens not included`);
  }
  const times = byModel.map((entry) => `${entry.model} ${entry.images} image${entry.images === 1 ? '' : 's'} at ${entry.imagesPerMinute}/min`).join(', ');
  lines.push(`estimated duration: ${formatDuration(plan.durationMs)} (${times})`);
  return `${lines.join('\n')}\n`;
}
