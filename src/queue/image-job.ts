import { createHash } from 'node:crypto';
import type { ImageRequest } from '../image-api/types.js';
import type { LocaleCode } from '../locales/registry.js';

/** Name of the one job type; the processor lives in jobs/generate-image.ts. */
export const GENERATE_IMAGE_JOB = 'generate-image';

/** Payload of one generate-image job: one (message, locale), `request.n` variants. */
export interface ImageJobData {
  /** Payload schema version, so a newer worker can tell old jobs apart. */
  v: 1;
  runId: string;
  /** Manifest file name (for reports and sidecars). */
  manifest: string;
  /** Line of the manifest row. */
  line: number;
  messageId: string;
  locale: LocaleCode;
  campaign: string;
  message: string;
  /** Supplied localized text, when the manifest had one. */
  text?: string | undefined;
  /** Creative direction from the manifest. */
  direction: string;
  /** The model (deployment) the prompt was enqueued for; part of the identity. */
  model: string;
  request: ImageRequest;
  /** sha256 of every generation input; names the blobs. */
  inputSha256: string;
  /** When the API first answered this item with 429 (set by the worker; caps how long it may go on). */
  rateLimitedSince?: number;
}

export interface ImageIdentityInput {
  model: string;
  campaign: string;
  messageId: string;
  locale: LocaleCode;
  request: Omit<ImageRequest, 'n'>;
}

/**
 * sha256 over every input that changes the image. `n` is left out on purpose: each variant is its
 * own blob, so asking for 3 variants where 2 exist generates only the third.
 */
export function imageInputSha256(input: ImageIdentityInput): string {
  const { prompt, size, quality, format, outputCompression } = input.request;
  const canonical = JSON.stringify(['polyglyph/v1', input.model, input.campaign, input.messageId, input.locale, prompt, size, quality, format, outputCompression ?? null]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Job id from the inputs (and the variant count), so enqueueing the same manifest twice adds nothing.
 * BullMQ refuses ':' in custom ids, hence the dots.
 */
export function imageJobId(inputSha256: string, variants: number): string {
  return `img.${inputSha256.slice(0, 40)}.n${variants}`;
}
