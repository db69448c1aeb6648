import type { LocaleCode } from '../locales/registry.js';

/**
 * Typeface guidance per locale. Naming a concrete, widely trained font family and the script's
 * hard parts (conjuncts, vowel signs) measurably improves text rendering in image models.
 */
export const TYPOGRAPHY: Readonly<Record<LocaleCode, string>> = {
  ja: 'a clean Japanese gothic (sans-serif) typeface such as Noto Sans JP, with correct kanji and kana forms',
  ko: 'a clean Korean sans-serif typeface such as Noto Sans KR, with every Hangul syllable block composed correctly',
  hi: 'a clean Devanagari typeface such as Noto Sans Devanagari, with the headline (shirorekha) joined and every conjunct and vowel sign (matra) shaped correctly',
  bn: 'a clean Bengali typeface such as Noto Sans Bengali, with the headline (matra) joined and every conjunct and vowel sign shaped correctly',
  'zh-Hans': 'a clean Simplified Chinese sans-serif typeface such as Noto Sans SC, using simplified character forms only',
  'zh-Hant': 'a clean Traditional Chinese sans-serif typeface such as Noto Sans TC, using traditional character forms only',
};
