import { invalidRequest } from '../errors.js';
import type { MockResponse } from '../http-io.js';
import { parseSize, type ImageDimensions } from '../size-rules.js';
import type { ImageOperation } from './match-route.js';

export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
/**
 * What Azure returns: "WEBP is not supported on Azure" (MicrosoftDocs/azure-ai-docs,
 * articles/ai-foundry/openai/how-to/dall-e.md); OpenAI's own API also takes webp.
 */
const AZURE_OUTPUT_FORMATS = ['png', 'jpeg'] as const;
const INPUT_FIDELITIES = ['high', 'low'] as const;
const QUALITIES = ['low', 'medium', 'high', 'auto'] as const;
export type Quality = (typeof QUALITIES)[number];
const BACKGROUNDS = ['transparent', 'opaque', 'auto'] as const;
export type Background = (typeof BACKGROUNDS)[number];
const MODERATIONS = ['low', 'auto'] as const;

/**
 * The body fields of each operation (openai/openai-openapi `CreateImageRequest` and
 * `CreateImageEditRequest`): `moderation` is a generations parameter only, `input_fidelity` an edits
 * one. Files (`image`, `image[]`, `mask`) are read from the form before this check.
 */
const KNOWN_FIELDS: Readonly<Record<ImageOperation, ReadonlySet<string>>> = {
  generations: new Set(['prompt', 'model', 'n', 'size', 'quality', 'output_format', 'output_compression', 'background', 'moderation', 'user']),
  edits: new Set(['prompt', 'model', 'n', 'size', 'quality', 'output_format', 'output_compression', 'background', 'input_fidelity', 'user']),
};
const MAX_PROMPT_CHARS = 32_000;
const MAX_IMAGES = 10;

/** A generation request that passed validation, with the defaults the service applies. */
export interface GenerationRequest {
  prompt: string;
  n: number;
  /** As sent ('auto' included), for the request log and the response. */
  size: string;
  dimensions: ImageDimensions;
  quality: Quality;
  format: OutputFormat;
  /** 0..100, only for jpeg and webp. */
  compression: number | undefined;
  background: Background;
}

/** What the log shows of a body, even one that is refused: the main fields, and every other field as sent. */
export function describeBody(body: Record<string, unknown>): { prompt: string; n: number; size: string; parameters: Record<string, unknown> } {
  const { prompt, ...parameters } = body;
  return {
    prompt: typeof prompt === 'string' ? prompt : '',
    n: Number.isInteger(body.n) ? (body.n as number) : 1,
    size: typeof body.size === 'string' ? body.size : 'auto',
    parameters,
  };
}

/**
 * Validates a generations body the way the service does: the first problem wins, and the answer
 * names the parameter. `null` counts as "not sent", as it does for OpenAI's API.
 */
export function validateGenerationBody(body: Record<string, unknown>, operation: ImageOperation = 'generations'): GenerationRequest | MockResponse {
  const unknown = Object.keys(body).find((key) => !KNOWN_FIELDS[operation].has(key));
  if (unknown !== undefined) return invalidRequest(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');

  const prompt = body.prompt;
  if (prompt === undefined || prompt === null) return invalidRequest("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  if (typeof prompt !== 'string') return wrongType('prompt', 'a string', prompt);
  if (prompt === '') return invalidRequest("Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an empty string instead.", 'prompt', 'empty_string');
  if (prompt.length > MAX_PROMPT_CHARS) {
    return invalidRequest(
      `Invalid 'prompt': string too long. Expected a string with maximum length ${MAX_PROMPT_CHARS}, but got a string with length ${prompt.length} instead.`,
      'prompt',
      'string_above_max_length',
    );
  }

  const n = body.n ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n)) return wrongType('n', 'an integer', n);
  if (n < 1) return invalidRequest(`Invalid 'n': integer below minimum value. Expected a value >= 1, but got ${n} instead.`, 'n', 'integer_below_min_value');
  if (n > MAX_IMAGES) return invalidRequest(`Invalid 'n': integer above maximum value. Expected a value <= ${MAX_IMAGES}, but got ${n} instead.`, 'n', 'integer_above_max_value');

  const size = body.size ?? 'auto';
  if (typeof size !== 'string') return wrongType('size', 'a string', size);
  const dimensions = parseSize(size);
  if (typeof dimensions === 'string') return invalidRequest(`Invalid size '${size}': ${dimensions}.`, 'size', 'invalid_value');

  const quality = oneOf(body.quality ?? 'auto', 'quality', QUALITIES);
  if (isResponse(quality)) return quality;
  const format = oneOf(body.output_format ?? 'png', 'output_format', AZURE_OUTPUT_FORMATS);
  if (isResponse(format)) return format;

  const compression = body.output_compression ?? undefined;
  if (compression !== undefined) {
    if (typeof compression !== 'number' || !Number.isInteger(compression)) return wrongType('output_compression', 'an integer', compression);
    if (compression < 0 || compression > 100) {
      return invalidRequest(`Invalid 'output_compression': expected a value between 0 and 100, but got ${compression} instead.`, 'output_compression', 'invalid_value');
    }
    if (format === 'png') {
      return invalidRequest("'output_compression' is only supported for the 'jpeg' and 'webp' output formats.", 'output_compression', 'invalid_value');
    }
  }

  const background = oneOf(body.background ?? 'auto', 'background', BACKGROUNDS);
  if (isResponse(background)) return background;
  if (background === 'transparent' && format === 'jpeg') {
    return invalidRequest("Transparent background is not supported for the 'jpeg' output format; use 'png' or 'webp'.", 'background', 'invalid_value');
  }

  const moderation = oneOf(body.moderation ?? 'auto', 'moderation', MODERATIONS);
  if (isResponse(moderation)) return moderation;
  if (body.input_fidelity !== undefined && body.input_fidelity !== null) {
    const fidelity = oneOf(body.input_fidelity, 'input_fidelity', INPUT_FIDELITIES);
    if (isResponse(fidelity)) return fidelity;
  }
  const user = body.user ?? undefined;
  if (user !== undefined && typeof user !== 'string') return wrongType('user', 'a string', user);

  return { prompt, n, size, dimensions, quality, format, compression, background };
}

function oneOf<T extends string>(value: unknown, param: string, allowed: readonly T[]): T | MockResponse {
  if (typeof value !== 'string') return wrongType(param, 'a string', value);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const list = allowed.map((option) => `'${option}'`);
  return invalidRequest(`Invalid value: '${value}'. Supported values are: ${list.slice(0, -1).join(', ')} and ${list.at(-1)}.`, param, 'invalid_value');
}

function wrongType(param: string, expected: string, value: unknown): MockResponse {
  const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${got} instead.`, param, 'invalid_type');
}

function isResponse(value: unknown): value is MockResponse {
  return typeof value === 'object' && value !== null;
}
