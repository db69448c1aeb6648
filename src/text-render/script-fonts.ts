import type { LocaleCode } from '../locales/registry.js';

/**
 * The Noto family that shapes each locale's script (Debian's `fonts-noto-core` and `fonts-noto-cjk`,
 * found through fontconfig by pango, which sharp uses for text). CJK needs the regional family: the
 * same code point has different glyph forms in Japanese, Korean, Simplified and Traditional Chinese.
 */
export const SCRIPT_FONTS: Readonly<Record<LocaleCode, string>> = {
  ja: 'Noto Sans CJK JP',
  ko: 'Noto Sans CJK KR',
  hi: 'Noto Sans Devanagari',
  bn: 'Noto Sans Bengali',
  'zh-Hans': 'Noto Sans CJK SC',
  'zh-Hant': 'Noto Sans CJK TC',
};

/** Latin text (ids, scores) on contact sheets: every Noto install has it. */
export const LATIN_FONT = 'Noto Sans';

/** Text for pango markup: sharp's `text` input parses markup, so `<` and `&` in user text must be escaped. */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
