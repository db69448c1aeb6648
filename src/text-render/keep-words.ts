import type { LocaleCode } from '../locales/registry.js';

const WORD_JOINER = '\u2060';
/** Two Hangul syllables in a row (U+AC00..U+D7A3): the inside of a Korean word. */
const HANGUL_PAIR = /([\uAC00-\uD7A3])(?=[\uAC00-\uD7A3])/g;

/**
 * The text with line breaks allowed only where its writing system breaks lines. Korean is written
 * with spaces between words and set like Western text: a line breaks at a space, never inside a word
 * (CSS's `word-break: keep-all`). Unicode's line breaking (UAX #14, which pango follows) allows a break
 * between any two Hangul syllables, so a banner read "최 / 대 50% 할인", 최대 cut in two. A word
 * joiner (U+2060, invisible, line-break class WJ) between the syllables of each word keeps it whole;
 * a word wider than the line still breaks (pango's word-char wrap). Chinese and Japanese break between
 * characters, as UAX #14 says; other scripts break at spaces already.
 */
export function keepWordsTogether(text: string, locale: LocaleCode): string {
  return locale === 'ko' ? text.replace(HANGUL_PAIR, `$1${WORD_JOINER}`) : text;
}
