import { createHash } from 'node:crypto';
import type { ImageRequest } from '../image-api/types.js';
import type { LocaleCode } from '../locales/registry.js';
import type { MasterInfo } from '../sources/master-store.js';

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
  /** Localized text to render verbatim: the manifest's cell, or a translation made before the run. */
  text?: string | undefined;
  /** `translated`: `text` came from the translation stage (`run --translate`), not from the manifest. */
  textSource?: 'translated';
  /** The chat model that translated `text`. */
  translationModel?: string;
  /** Creative direction from the manifest. */
  direction: string;
  /** The model (deployment) the prompt was enqueued for; part of the identity. */
  model: string;
  /** What is sent: `request.size` is the size the images must have. */
  request: ImageRequest;
  /**
   * The size as the manifest (or `--size`) asked for it: `4096x4096`, `large landscape`, or simply
   * `request.size`. Absent in jobs enqueued before it existed; read it as `request.size` then.
   */
  requestedSize?: string;
  /** sha256 of every generation input; names the blobs. */
  inputSha256: string;
  /** The run named the model (`--models`, a `model` cell): the blobs go under a model folder (blob-name.ts). */
  modelInBlobName?: true;
  /** The master creative this item localizes (images edits); its bytes are in Redis (MasterStore). */
  source?: MasterInfo | undefined;
  /** When the API first answered this item with 429 (set by the worker; caps how long it may go on). */
  rateLimitedSince?: number;
  /** When the item first met a transient failure (5xx, timeout, network, malformed answer): caps how long it may go on. */
  transientSince?: number;
  /** Transient failures the item has met so far; each was retried without using an attempt. */
  transientRetries?: number;
  /**
   * When a worker first took the item up again after its previous worker stopped holding it (killed,
   * crashed, lost its lock): caps how long the item may keep being recovered (stall-recovery.ts).
   */
  stalledSince?: number;
  /** BullMQ's stall count when the last recovery was recorded: each recovery is logged once (stall-recovery.ts). */
  stalledSeen?: number;
}

export interface ImageIdentityInput {
  model: string;
  campaign: string;
  messageId: string;
  locale: LocaleCode;
  request: Omit<ImageRequest, 'n'>;
  /** sha256 of the master creative, for edits: a changed master makes new images. */
  sourceSha256?: string | undefined;
}

/**
 * sha256 over every input that changes the image. `n` is left out on purpose: each variant is its
 * own blob, so asking for 3 variants where 2 exist generates only the third. The size is the one
 * sent, so `large 16:9` and the `WxH` it routes to are the same image.
 *
 * `background` and `moderation` came later: they are appended only when set, so a request without
 * them hashes exactly as before and re-runs of existing manifests still find their blobs.
 */
export function imageInputSha256(input: ImageIdentityInput): string {
  const { prompt, size, quality, format, outputCompression, background, moderation } = input.request;
  const fields: unknown[] = ['polyglyph/v1', input.model, input.campaign, input.messageId, input.locale, prompt, size, quality, format, outputCompression ?? null];
  const later = {
    ...(background !== undefined ? { background } : {}),
    ...(moderation !== undefined ? { moderation } : {}),
    ...(input.sourceSha256 !== undefined ? { source: input.sourceSha256 } : {}),
  };
  if (Object.keys(later).length > 0) fields.push(later);
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

/**
 * Job id from the inputs (and the variant count), so enqueueing the same manifest twice adds nothing.
 * BullMQ refuses ':' in custom ids, hence the dots.
 *
 * `destination` (storage/destination.ts), when the producer knows where the images go, makes runs to
 * different containers different items: the id also names the item's done marker, and a run to an
 * empty container must not take another container's outcome as its own. Without one the id is as before.
 */
export function imageJobId(inputSha256: string, variants: number, destination?: string): string {
  return `img.${inputSha256.slice(0, 40)}.n${variants}${destination === undefined ? '' : `.d${destination}`}`;
}
