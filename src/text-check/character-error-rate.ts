import { normaliseForCheck } from './normalise-text.js';

/**
 * Character error rate: the edit distance (insertions, deletions, substitutions of code points)
 * from the expected text to the read text, divided by the expected text's length, both normalised
 * (normalise-text.ts). 0 is a perfect read; above 1 is possible when much more was read than expected.
 * An empty expected text scores 0 when nothing was read and 1 otherwise.
 */
export function characterErrorRate(expected: string, read: string): number {
  const a = [...normaliseForCheck(expected)];
  const b = [...normaliseForCheck(read)];
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  return editDistance(a, b) / a.length;
}

/** Levenshtein distance with one row of memory. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
