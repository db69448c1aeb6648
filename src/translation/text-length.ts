/** Characters as a reader counts them (grapheme clusters): a Devanagari conjunct or an emoji is one. */
export function visibleLength(text: string): number {
  let count = 0;
  for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) count += 1;
  return count;
}
