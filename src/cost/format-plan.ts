import type { LocaleCode } from '../locales/registry.js';
import type { ManifestPlan } from './estimate.js';
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
  const images = `${plan.images} image${plan.images === 1 ? '' : 's'}`;
  const perLocale = Object.entries(plan.imagesByLocale).map(([locale, count]) => `${locale} ${count}`).join(', ');
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
