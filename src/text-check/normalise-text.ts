/**
 * The form both texts take before they are compared: Unicode NFC (a precomposed and a decomposed
 * Bengali or Hangul syllable are the same text), no whitespace (OCR puts spaces between CJK
 * characters and breaks lines where the layout wrapped), no punctuation or symbols (quotes, dashes,
 * full-width commas: an image model's and an OCR engine's choices there are not the text's
 * correctness), and Latin letters in lower case.
 */
export function normaliseForCheck(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\s\p{P}\p{S}\p{Cc}\p{Cf}]+/gu, '')
    .toLowerCase();
}
