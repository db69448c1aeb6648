import type { LocaleCode } from '../locales/registry.js';
import { INDIC_LETTERS, indicWord, isIndicLocale, type IndicLocale } from './indic-syllables.js';

/**
 * The stand-in's "translation": a deterministic pseudo-localization into the target script, so a run
 * with no chat deployment still produces text in the right script, the same every time. Each source
 * letter maps to a letter of the target script by its code point and its position in the word (in
 * Bengali and Hindi, to a consonant, a vowel sign or a vowel, so that words are spelled as those
 * scripts spell them: indic-syllables.ts); spaces
 * are kept where the script uses them (Korean, Hindi, Bengali), dropped where it does not (Japanese,
 * Chinese); digits and punctuation stay; protected terms (do-not-translate names, glossary renderings)
 * are copied verbatim. It is not a translation and says nothing about meaning: it exists so that the
 * pipeline (length limits, glossary checks, rendering, read-back) has real target-script text to carry.
 */
/** Per locale; Bengali and Hindi words are built syllable by syllable instead (indic-syllables.ts). */
const ALPHABETS: Readonly<Record<Exclude<LocaleCode, IndicLocale>, readonly string[]>> = {
  // Hiragana and katakana syllables.
  ja: [...'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ'],
  // Precomposed Hangul syllables (U+AC00 block, common ones).
  ko: [...'가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히'],
  // Common simplified and traditional characters (each list in its own script).
  'zh-Hans': [
    ...'的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长',
  ],
  'zh-Hant': [
    ...'的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學對可她裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面公同三已老從動兩長',
  ],
};

const SPACED: ReadonlySet<LocaleCode> = new Set(['ko', 'hi', 'bn']);

export function pseudoLocalize(text: string, locale: LocaleCode, protectedTerms: readonly string[] = []): string {
  const terms = [...new Set(protectedTerms.filter((term) => term !== ''))].sort((a, b) => b.length - a.length);
  const choose = (letter: string, position: number, choices: number): number => (letter.toLowerCase().codePointAt(0)! * 7 + position * 3) % choices;
  let out = '';
  let index = 0;
  let position = 0;
  // Bengali and Hindi: the letters since the last non-letter, with their positions, written as one word.
  let pending: Array<{ letter: string; position: number }> = [];
  const indic = isIndicLocale(locale) ? INDIC_LETTERS[locale] : undefined;
  const flush = (): void => {
    if (pending.length === 0 || indic === undefined) return;
    const letters = pending;
    out += indicWord(
      letters.map((entry) => entry.letter),
      indic,
      (at, choices) => choose(letters[at]!.letter, letters[at]!.position, choices),
    );
    pending = [];
  };
  while (index < text.length) {
    const term = terms.find((candidate) => text.startsWith(candidate, index));
    if (term !== undefined) {
      flush();
      out += term;
      index += term.length;
      continue;
    }
    const char = text[index]!;
    index += 1;
    if (/[\p{L}]/u.test(char)) {
      if (isIndicLocale(locale)) pending.push({ letter: char, position });
      else {
        const alphabet = ALPHABETS[locale];
        out += alphabet[choose(char, position, alphabet.length)]!;
      }
      position += 1;
      continue;
    }
    flush();
    if (/\s/.test(char)) {
      position = 0;
      if (SPACED.has(locale) && !out.endsWith(' ')) out += ' ';
      continue;
    }
    out += char;
  }
  flush();
  return out.trim();
}
