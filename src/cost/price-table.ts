import type { ImageQuality } from '../images/image-options.js';
import { usdToMicros } from './money.js';

/**
 * What images cost, per model (the `model` sent with each request: the deployment name on Azure).
 *
 * Azure publishes no price for gpt-image-2, so the built-in entry is OpenAI's published list price
 * (openai.com/api/pricing, image generation); what an Azure resource is billed may differ. The table is therefore
 * overridable with a price file (`--price-file`, see price-file.ts), which is also how a deployment
 * with its own name gets a price. A model missing from the table has no price: estimates for it are
 * `undefined`, never a guess.
 */

/** Qualities with a price; `auto` is priced as one of them (see `pricedQuality`). */
export type PricedQuality = Exclude<ImageQuality, 'auto'>;

export interface TokenPrices {
  /** Micro-dollars per million text input tokens (the prompt). */
  textInputPerMillionMicros: number;
  /** Micro-dollars per million image input tokens (edits, reference images). */
  imageInputPerMillionMicros: number;
  /** Micro-dollars per million image output tokens: nearly all of an image's cost. */
  imageOutputPerMillionMicros: number;
  /** Micro-dollars per million text output tokens (`output_tokens_details.text_tokens`); absent: priced as image output. */
  textOutputPerMillionMicros?: number | undefined;
}

export interface ModelPrices {
  /** Micro-dollars per 1024x1024 image, by quality. */
  perImage1024Micros: Readonly<Record<PricedQuality, number>>;
  /** Per-token prices, for the actual cost of a response from its usage; absent when unknown. */
  tokens?: TokenPrices | undefined;
  /** Where the prices come from, shown beside estimates. */
  source: string;
}

/** Model name -> prices. A Map, so that a model named like an Object property is not "found". */
export type PriceTable = ReadonlyMap<string, ModelPrices>;

/** OpenAI's list prices for gpt-image-2: $5 text input / $8 image input / $30 image output / $10 text output per million tokens; $0.006 / $0.053 / $0.211 per 1024x1024 image. */
export const GPT_IMAGE_2_PRICES: ModelPrices = {
  perImage1024Micros: { low: usdToMicros(0.006), medium: usdToMicros(0.053), high: usdToMicros(0.211) },
  tokens: { textInputPerMillionMicros: usdToMicros(5), imageInputPerMillionMicros: usdToMicros(8), imageOutputPerMillionMicros: usdToMicros(30), textOutputPerMillionMicros: usdToMicros(10) },
  source: "OpenAI's list prices (Azure publishes none for gpt-image-2)",
};

export const DEFAULT_PRICE_TABLE: PriceTable = new Map([['gpt-image-2', GPT_IMAGE_2_PRICES]]);

/** The pixel count the per-image prices are quoted for. */
export const REFERENCE_PIXELS = 1024 * 1024;

/**
 * `auto` quality is priced as high, the dearest: the service picks the quality, and an estimate used
 * as a budget must not come in under what is then billed.
 */
export function pricedQuality(quality: ImageQuality): PricedQuality {
  return quality === 'auto' ? 'high' : quality;
}

/**
 * Pixels a size is priced for. `auto` counts as 1024x1024, the size the per-image prices are quoted
 * for; the service may choose 1536x1024 or 1024x1536 instead, which costs about 1.5 times as much,
 * so give explicit sizes where the estimate is a budget. Sizes reaching here were checked by the
 * manifest reader, so anything else is `WxH`.
 */
export function pricedPixels(size: string): number {
  const match = /^(\d+)x(\d+)$/.exec(size);
  return match ? Number(match[1]) * Number(match[2]) : REFERENCE_PIXELS;
}

/**
 * Estimated price of one image, in micro-dollars, or `undefined` when the table has no price for
 * `model`. Output tokens, and so the price, grow with the pixel count, so other sizes are the
 * 1024x1024 price scaled by pixels / 1,048,576 (an estimate: OpenAI quotes only a few sizes), rounded
 * to the micro-dollar per image.
 */
export function imagePriceMicros(table: PriceTable, model: string, size: string, quality: ImageQuality): number | undefined {
  const prices = table.get(model);
  return prices && pricePerImageMicros(prices, size, quality);
}

/** `imagePriceMicros` for a model whose prices are already in hand. */
export function pricePerImageMicros(prices: ModelPrices, size: string, quality: ImageQuality): number {
  return Math.round((prices.perImage1024Micros[pricedQuality(quality)] * pricedPixels(size)) / REFERENCE_PIXELS);
}

/** What to tell a user whose model has no price. */
export function noPriceMessage(model: string): string {
  return `no price for model ${model}; add it with --price-file`;
}
