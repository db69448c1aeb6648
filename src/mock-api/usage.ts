import type { Quality } from './routes/validation.js';

/** Output tokens of one 1024x1024 image by quality, as OpenAI prices gpt-image; 'auto' is billed like medium. */
const TOKENS_PER_MEGAPIXEL_IMAGE: Readonly<Record<Quality, number>> = { low: 272, medium: 1056, high: 4160, auto: 1056 };
const BASE_PIXELS = 1024 * 1024;

/**
 * An estimate of `usage` in the shape the service reports it, so cost accounting downstream has
 * realistic numbers to add up: output tokens scale with pixels, about four prompt characters make a token.
 */
export function estimateUsage(prompt: string, quality: Quality, pixels: number, n: number): Record<string, unknown> {
  const textTokens = Math.max(1, Math.round(prompt.length / 4));
  const outputTokens = Math.round((TOKENS_PER_MEGAPIXEL_IMAGE[quality] * pixels) / BASE_PIXELS) * n;
  return {
    input_tokens: textTokens,
    input_tokens_details: { text_tokens: textTokens, image_tokens: 0 },
    output_tokens: outputTokens,
    // openai-openapi's ImagesResponse usage splits the output; the stand-in's images are all image tokens.
    output_tokens_details: { image_tokens: outputTokens, text_tokens: 0 },
    total_tokens: textTokens + outputTokens,
  };
}
