import type { ImageFormat } from '../images/image-options.js';
import type { LocaleCode } from '../locales/registry.js';

/** Azure's limit on blob names; Azurite accepts longer ones, so we check. */
export const MAX_BLOB_NAME_LENGTH = 1024;
const BLOB_NAME = /^[a-z0-9][a-z0-9/._-]*$/;

export interface ImageBlobNameParts {
  campaign: string;
  locale: LocaleCode;
  messageId: string;
  /** Hex digest of every generation input. */
  inputSha256: string;
  /** 1-based variant number. */
  variant: number;
  format: ImageFormat;
  /** The model; a folder of the name only with `modelInBlobName`. */
  model?: string | undefined;
  /** Put the image under a `<model>` folder: set for runs that name their models (src/queue/model-jobs.ts). */
  modelInBlobName?: boolean | undefined;
}

/**
 * `<campaign>/<locale>/<message-id>/<hash16>-v<variant>.<ext>`, or with `modelInBlobName`
 * `<campaign>/<locale>/<message-id>/<model>/<hash16>-v<variant>.<ext>`: derived only from the inputs, so
 * the same inputs give the same name (a re-run finds it and skips) and changed inputs a new one.
 * Lowercased to `[a-z0-9/._-]`; the hash covers the exact id, campaign and model, so names differing
 * only in case stay apart.
 */
export function imageBlobName(parts: ImageBlobNameParts): string {
  const extension = parts.format === 'jpeg' ? 'jpg' : parts.format;
  const folder = parts.modelInBlobName && parts.model !== undefined ? [slug(parts.model)] : [];
  const name = [slug(parts.campaign), parts.locale.toLowerCase(), slug(parts.messageId), ...folder, `${parts.inputSha256.slice(0, 16)}-v${parts.variant}.${extension}`].join('/');
  assertValidBlobName(name);
  return name;
}

/** The sidecar JSON sits beside its image. */
export function sidecarBlobName(imageBlobName: string): string {
  return `${imageBlobName}.json`;
}

export function assertValidBlobName(name: string): void {
  if (name.length > MAX_BLOB_NAME_LENGTH) throw new RangeError(`blob name is ${name.length} characters; Azure allows ${MAX_BLOB_NAME_LENGTH}`);
  if (!BLOB_NAME.test(name)) throw new RangeError(`blob name '${name}' has characters outside [a-z0-9/._-]`);
  // Azure rejects names whose segments end in a dot and treats empty segments as errors.
  if (name.split('/').some((segment) => segment === '' || segment.endsWith('.'))) throw new RangeError(`blob name '${name}' has an empty segment or one ending in '.'`);
}

function slug(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[.]+$/g, '');
  return cleaned === '' ? '_' : cleaned;
}
