import type { ImageUsage } from '../image-api/types.js';
import type { PriceTable } from './price-table.js';

/**
 * The actual cost of one response, in micro-dollars, from the token usage it reports: text input at
 * the text price, image input at the image input price, output at the image output price, except
 * the text output tokens `output_tokens_details` reports, at the text output price when the table
 * has one.
 *
 * `undefined` when the table has no token prices for `model`, when there is no usage, or when the
 * output tokens (nearly all of the cost) cannot be told; output is taken from `totalTokens -
 * inputTokens` when only those are given. Text input defaults to `inputTokens - inputImageTokens`;
 * an input count the service leaves out counts as 0, which can only make the figure lower.
 */
export function usageCostMicros(usage: ImageUsage | undefined, model: string, table: PriceTable): number | undefined {
  const prices = table.get(model)?.tokens;
  if (!usage || !prices) return undefined;
  const outputTokens = usage.outputTokens ?? (usage.totalTokens !== undefined && usage.inputTokens !== undefined ? usage.totalTokens - usage.inputTokens : undefined);
  if (outputTokens === undefined) return undefined;
  const imageInputTokens = usage.inputImageTokens ?? 0;
  const textInputTokens = usage.inputTextTokens ?? Math.max(0, (usage.inputTokens ?? 0) - imageInputTokens);
  // Text output is split off only when both its count and its price are known; the rest is image output.
  const textOutputTokens = prices.textOutputPerMillionMicros !== undefined ? Math.min(Math.max(0, outputTokens), usage.outputTextTokens ?? 0) : 0;
  const imageOutputTokens = Math.max(0, outputTokens) - textOutputTokens;
  const perMillion =
    textInputTokens * prices.textInputPerMillionMicros +
    imageInputTokens * prices.imageInputPerMillionMicros +
    imageOutputTokens * prices.imageOutputPerMillionMicros +
    textOutputTokens * (prices.textOutputPerMillionMicros ?? 0);
  return Math.round(perMillion / 1_000_000);
}
