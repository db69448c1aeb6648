import type { ImageGeneration } from './types.js';

/**
 * Images a failed call had already delivered (and so were paid for). A provider that makes several
 * HTTP requests for one call (MAI: one image per request) attaches them to the error it throws, so
 * the job can stage them and a retry generates only what is still missing.
 */
const PARTIAL = Symbol.for('polyglyph.partialGeneration');

interface WithPartial {
  [PARTIAL]?: ImageGeneration;
}

/** Attaches the images delivered before `error` to it (a no-op for none), and returns it. */
export function attachPartialGeneration<T>(error: T, generation: ImageGeneration): T {
  if (generation.images.length > 0 && typeof error === 'object' && error !== null) {
    Object.defineProperty(error, PARTIAL, { value: generation, enumerable: false, configurable: true });
  }
  return error;
}

/** The images delivered before `error`, when a provider attached any. */
export function partialGeneration(error: unknown): ImageGeneration | undefined {
  return typeof error === 'object' && error !== null ? (error as WithPartial)[PARTIAL] : undefined;
}
