import { z } from 'zod';
import { IMAGE_BACKGROUNDS, IMAGE_FORMATS, IMAGE_MODERATIONS, IMAGE_QUALITIES, MAX_COMPRESSION, MAX_VARIANTS, MIN_COMPRESSION, MIN_VARIANTS } from '../images/image-options.js';
import { LOCALE_CODES } from '../locales/registry.js';
import type { ImageJobData } from './image-job.js';

/**
 * What a generate-image job must carry before a worker spends anything on it. The producer always
 * writes this shape; anything else reached the queue another way (Bull Board's "add job", a script,
 * an older or foreign producer) and is refused as `invalid_job` instead of crashing the worker.
 * Unknown fields are kept (`looseObject`): a newer producer may add some.
 */
const requestSchema = z.looseObject({
  prompt: z.string().min(1),
  size: z.string().min(1),
  quality: z.enum(IMAGE_QUALITIES),
  format: z.enum(IMAGE_FORMATS),
  outputCompression: z.number().int().min(MIN_COMPRESSION).max(MAX_COMPRESSION).optional(),
  background: z.enum(IMAGE_BACKGROUNDS).optional(),
  moderation: z.enum(IMAGE_MODERATIONS).optional(),
  n: z.number().int().min(MIN_VARIANTS).max(MAX_VARIANTS),
});

export const imageJobDataSchema = z.looseObject({
  v: z.literal(1),
  runId: z.string().min(1),
  manifest: z.string(),
  line: z.number().int().nonnegative(),
  messageId: z.string().min(1),
  locale: z.enum(LOCALE_CODES),
  campaign: z.string().min(1),
  message: z.string(),
  text: z.string().optional(),
  textSource: z.literal('translated').optional(),
  translationModel: z.string().optional(),
  direction: z.string(),
  model: z.string().min(1),
  request: requestSchema,
  requestedSize: z.string().optional(),
  inputSha256: z.string().regex(/^[0-9a-f]{64}$/),
  modelInBlobName: z.literal(true).optional(),
  source: z.looseObject({ ref: z.string(), sha256: z.string(), contentType: z.string(), filename: z.string() }).optional(),
  rateLimitedSince: z.number().optional(),
  transientSince: z.number().optional(),
  transientRetries: z.number().int().nonnegative().optional(),
  stalledSince: z.number().optional(),
  stalledSeen: z.number().int().nonnegative().optional(),
});

export type ParsedImageJob = { ok: true; data: ImageJobData } | { ok: false; message: string };

/** Checks a job's data; on failure, one line naming the first few fields that are wrong. */
export function parseImageJobData(data: unknown): ParsedImageJob {
  const result = imageJobDataSchema.safeParse(data);
  if (result.success) return { ok: true, data: result.data as ImageJobData };
  const problems = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`);
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  return { ok: false, message: `the job's data is not a generate-image payload: ${problems.join('; ')}${more}` };
}

/**
 * Best-effort fields of malformed data, for its failed report row: strings and numbers only where
 * they are what they claim to be, so building the row can never throw.
 */
export function salvageJobFields(data: unknown): { messageId: string; locale: string; line: number; model: string; variants: number } {
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const str = (value: unknown): string => (typeof value === 'string' ? value.slice(0, 128) : '');
  const request = typeof record.request === 'object' && record.request !== null ? (record.request as Record<string, unknown>) : {};
  const n = typeof request.n === 'number' && Number.isInteger(request.n) && request.n >= MIN_VARIANTS && request.n <= MAX_VARIANTS ? request.n : 1;
  return {
    messageId: str(record.messageId),
    locale: (LOCALE_CODES as readonly string[]).includes(str(record.locale)) ? str(record.locale) : 'unknown',
    line: typeof record.line === 'number' && Number.isInteger(record.line) ? record.line : 0,
    model: str(record.model),
    variants: n,
  };
}
