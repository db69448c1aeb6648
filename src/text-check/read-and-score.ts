import type { LocaleCode } from '../locales/registry.js';
import type { TextCheckResult } from './evaluate-reading.js';
import type { TextReader, TextReading } from './text-reader.js';

/**
 * Reads an image's text and scores it; while the result is `needs_review`, reads it again with the
 * engines' further passes (another preparation of the page, then a second engine when one is
 * configured) and keeps the result closest to the expected text. A pass is only tried for a flagged
 * image, so the usual image costs one reading.
 *
 * Why this cannot pass garbled text: a reading can only come nearer the expected text by showing
 * characters the image really has. A garbled image's text is itself 0.4 or more from the expected text
 * (src/mock-api/garble-text.ts; an image model's wrong text, in production), so the best of several
 * faithful readings of it is still that far. Measured on the stand-in's garbled images
 * (docs/text-check.md, `npm run bench:text-accuracy`).
 */
export async function readAndScore(
  readers: readonly TextReader[],
  image: Buffer,
  locale: LocaleCode,
  score: (reading: TextReading) => TextCheckResult,
  options: { signal?: AbortSignal } = {},
): Promise<TextCheckResult> {
  let best: TextCheckResult | undefined;
  let readings = 0;
  for (const reader of readers) {
    for (let pass = 0; pass < (reader.passes ?? 1); pass += 1) {
      let result: TextCheckResult;
      try {
        result = score(await reader.read(image, locale, options.signal ? { signal: options.signal, pass } : { pass }));
      } catch (error) {
        // The first reading's failure is the check's (retried, then recorded as `error`); a later one
        // (the vision deployment refused, or is over its quota) leaves the readings made so far.
        if (!best) throw error;
        return { ...best, readings, laterReadingFailed: error instanceof Error ? error.message : String(error) };
      }
      readings += 1;
      if (!best || closer(result, best)) best = result;
      if (best.status !== 'needs_review') return { ...best, readings };
    }
  }
  if (!best) throw new Error('no text reader configured');
  return { ...best, readings };
}

/** Nearer the expected text; without one, more of the read letters in the locale's script. */
function closer(a: TextCheckResult, b: TextCheckResult): boolean {
  if (a.cer !== null && b.cer !== null) return a.cer < b.cer;
  return a.scriptShare > b.scriptShare;
}
