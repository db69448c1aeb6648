/**
 * What Azure OpenAI's images API takes that OpenAI's does not, checked before anything is sent (and
 * paid for). OpenAI's Images API allows these; Azure's documents otherwise:
 *
 * - Output format: png or jpeg. WEBP "is not supported on Azure" (MicrosoftDocs/azure-ai-docs,
 *   articles/ai-foundry/openai/how-to/dall-e.md), so a webp row would at best come back as another
 *   format and fail as a paid-for mismatch.
 * - Edit inputs (master creatives): "a png, or jpg file less than 25MB" (Azure OpenAI REST reference
 *   for 2025-04-01-preview, the api-version Polyglyph sends; a later reference says 50MB: the smaller
 *   holds for both).
 * - Sizes: an edge of 3840 is where the documents disagree (the model catalog says the long edge must
 *   be "less than 3840px", the how-to lists 3840x2160), and everything above 2560x1440 is
 *   "experimental": such a size is sent as written, with a warning.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { ImageFormat } from './image-options.js';
import { MAX_EDGE } from './size.js';

/** Output formats Azure returns. */
export const AZURE_OUTPUT_FORMATS: readonly ImageFormat[] = ['png', 'jpeg'];

/** The largest master creative the edits endpoint takes, in bytes (25 MB, 2025-04-01-preview reference). */
export const MAX_MASTER_BYTES = 25 * 1024 * 1024;

/** The largest size every document allows, for the experimental-edge warning's fix. */
const SAFE_EDGE = MAX_EDGE - 16;

/** Why Azure does not take `format` as output, or undefined when it does. */
export function azureFormatProblem(format: ImageFormat): string | undefined {
  return AZURE_OUTPUT_FORMATS.includes(format) ? undefined : `${format} output is not supported on Azure OpenAI, which returns png and jpeg`;
}

/** The fix for a format Azure refuses. */
export const AZURE_FORMAT_HINT = 'use jpeg (lossy, small; with compression if wanted) or png';

/** A warning for a literal `WxH` with a 3840-pixel edge, or undefined for any other size. */
export function experimentalEdgeWarning(width: number, height: number): { message: string; hint: string } | undefined {
  if (width !== MAX_EDGE && height !== MAX_EDGE) return undefined;
  const scale = SAFE_EDGE / MAX_EDGE;
  const safe = width >= height ? `${SAFE_EDGE}x${Math.floor((height * scale) / 16) * 16}` : `${Math.floor((width * scale) / 16) * 16}x${SAFE_EDGE}`;
  return {
    message: `size ${width}x${height} has a ${MAX_EDGE}-pixel edge: experimental on Azure (above 2560x1440), and Azure's documents disagree on whether an edge of ${MAX_EDGE} is accepted`,
    hint: `write ${safe} (every document allows it) to be safe; ${width}x${height} is sent as written`,
  };
}

/** PNG, JPEG and WEBP by their first bytes. */
function sniffFormat(head: Buffer): 'png' | 'jpeg' | 'webp' | undefined {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** Why Azure's edits endpoint would refuse these bytes as its `image`, or undefined when it takes them. */
export function masterBytesProblem(bytes: Buffer): string | undefined {
  if (bytes.length > MAX_MASTER_BYTES) return `is ${(bytes.length / 1_048_576).toFixed(1)} MB; Azure's edits take up to ${MAX_MASTER_BYTES / 1_048_576} MB`;
  const format = sniffFormat(bytes.subarray(0, 16));
  if (format === 'webp') return "is WEBP; Azure's edits take PNG or JPEG";
  if (format === undefined) return "is not a PNG or JPEG image (Azure's edits take those)";
  return undefined;
}

/** `masterBytesProblem` for a local file, reading only its size and first bytes (validate reads no whole masters). */
export function masterFileProblem(path: string): string | undefined {
  const size = statSync(path).size;
  if (size > MAX_MASTER_BYTES) return `is ${(size / 1_048_576).toFixed(1)} MB; Azure's edits take up to ${MAX_MASTER_BYTES / 1_048_576} MB`;
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return masterBytesProblem(head);
}

/** The fix for a master Azure's edits refuse. */
export const MASTER_HINT = 'give a PNG or JPEG master under 25 MB (convert WEBP, e.g. `magick master.webp master.png`)';
