import { imageSize } from 'image-size';
import type { ImageFormat } from './image-options.js';

export interface ImageFacts {
  format: ImageFormat;
  width: number;
  height: number;
}

const DETECTED_FORMATS: Readonly<Record<string, ImageFormat>> = { png: 'png', jpg: 'jpeg', webp: 'webp' };

/**
 * Reads format and dimensions from the image header (no full decode). Returns a reason string
 * instead of throwing so the caller can attach request ids and pick the error class.
 */
export function inspectImage(bytes: Uint8Array): ImageFacts | string {
  try {
    const header = imageSize(bytes);
    const format = header.type === undefined ? undefined : DETECTED_FORMATS[header.type];
    if (format === undefined) return `unsupported image type '${header.type ?? 'unknown'}'`;
    if (!header.width || !header.height) return 'image header has no dimensions';
    return { format, width: header.width, height: header.height };
  } catch (error) {
    return `not a readable image (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Checks an image is the format and, unless `auto`, the size that was asked for. */
export function checkImage(facts: ImageFacts, expected: { format: ImageFormat; size: string }): string | undefined {
  if (facts.format !== expected.format) return `asked for ${expected.format}, got ${facts.format}`;
  if (expected.size !== 'auto' && `${facts.width}x${facts.height}` !== expected.size) {
    return `asked for ${expected.size}, got ${facts.width}x${facts.height}`;
  }
  return undefined;
}
