import type { ImageUsage } from './types.js';
import { isRecord } from '../json/is-record.js';

export interface ParsedGeneration {
  images: Array<{ b64: string; revisedPrompt: string | undefined }>;
  usage: ImageUsage | undefined;
}

/**
 * Reads a generations response. Only `data[].b64_json` is certain (Azure adds filter results, usage
 * may be absent), so everything else is optional. Returns a reason string when the body is unusable.
 */
export function parseGenerationBody(body: unknown): ParsedGeneration | string {
  if (!isRecord(body)) return 'not a JSON object';
  if (!Array.isArray(body.data)) return "no 'data' array";
  const images: ParsedGeneration['images'] = [];
  for (const [index, item] of body.data.entries()) {
    if (!isRecord(item) || typeof item.b64_json !== 'string' || item.b64_json === '') return `data[${index}] has no b64_json`;
    images.push({ b64: item.b64_json, revisedPrompt: typeof item.revised_prompt === 'string' ? item.revised_prompt : undefined });
  }
  return { images, usage: parseUsage(body.usage) };
}

function parseUsage(usage: unknown): ImageUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const details = isRecord(usage.input_tokens_details) ? usage.input_tokens_details : {};
  // `output_tokens_details {image_tokens, text_tokens}` (openai-openapi ImagesResponse usage): priced apart.
  const output = isRecord(usage.output_tokens_details) ? usage.output_tokens_details : {};
  return {
    inputTokens: numberOrUndefined(usage.input_tokens),
    outputTokens: numberOrUndefined(usage.output_tokens),
    totalTokens: numberOrUndefined(usage.total_tokens),
    inputTextTokens: numberOrUndefined(details.text_tokens),
    inputImageTokens: numberOrUndefined(details.image_tokens),
    outputImageTokens: numberOrUndefined(output.image_tokens),
    outputTextTokens: numberOrUndefined(output.text_tokens),
  };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
