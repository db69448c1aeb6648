/**
 * Bengali and Hindi for the stand-in's pseudo-localization, written as these abugidas are written:
 * syllables of a consonant and a dependent vowel sign, an independent vowel letter only where a word
 * starts with a vowel. The first version mapped every letter to one list that mixed consonants and
 * independent vowels, and wrote words like "ঠনঐঐখলঊ": independent vowels inside words (a quarter of all
 * letters), doubled, no vowel sign anywhere. No translator (or model) writes that.
 *
 * The independent vowels used are the common ones. ঈ ঊ ঋ ঐ ঔ are rare in Bengali (ঊনিশ, ঋণ, ঐতিহ্য,
 * ঔষধ), and Tesseract's Bengali model (Debian's tesseract-ocr-ben, tessdata 4.00 "ben") cannot write
 * ঊ ঋ ঐ ঔ at all: they are not in its unicharset, so it reads ঐ as এঁ or এ and ঊ as উ, even in
 * real words. The old list made 8 % of its letters ঊ ঐ ঔ (23 of the bench's 30 translated
 * messages had one), which is what flagged 8-9 % of the stand-in's good Bengali images while every
 * supplied Bengali text passed (docs/text-check.md). Devanagari gets the same shape with its own
 * letters: Hindi was read well even malformed, but a stand-in should not draw what nobody writes.
 */

export interface IndicLetters {
  consonants: readonly string[];
  /** Dependent vowel signs, each written after its consonant (pango reorders the pre-base ones). */
  vowelSigns: readonly string[];
  /** Independent vowels a word may start with. */
  independentVowels: readonly string[];
}

export const INDIC_LETTERS = {
  bn: {
    // U+0995..U+09B9, without the rare ঙ ঞ and the nukta forms.
    consonants: [...'কখগঘচছজঝটঠডঢণতথদধনপফবভমযরলশষসহ'],
    vowelSigns: [...'\u09BE\u09BF\u09C0\u09C1\u09C7\u09CB'], // া ি ী ু ে ো
    independentVowels: [...'অআইউএও'],
  },
  hi: {
    // U+0915..U+0939, without the rare ङ ञ and the nukta forms.
    consonants: [...'कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह'],
    vowelSigns: [...'\u093E\u093F\u0940\u0941\u0947\u094B'], // ा ि ी ु े ो
    independentVowels: [...'अआइउएओ'],
  },
} as const satisfies Record<string, IndicLetters>;

export type IndicLocale = keyof typeof INDIC_LETTERS;

export function isIndicLocale(locale: string): locale is IndicLocale {
  return Object.hasOwn(INDIC_LETTERS, locale);
}

/** A source letter counts as a vowel when its base letter (accents removed) is a Latin vowel. */
function isVowel(letter: string): boolean {
  return /^[aeiou]/.test(letter.normalize('NFD').toLowerCase());
}

/**
 * Pseudo-localizes one word's letters (in order) into a well-formed word of the script: a consonant for
 * a consonant, a vowel sign for a vowel after a consonant, an independent vowel for a vowel that starts
 * the word; a vowel after a vowel adds nothing (one sound, as "ea" in "deal"), so no vowel sign ever
 * lacks its consonant and no independent vowel stands inside a word. `pick(index, choices)` chooses
 * among `choices` for the letter at `index` (deterministically, from the letter and its place).
 */
export function indicWord(letters: readonly string[], script: IndicLetters, pick: (index: number, choices: number) => number): string {
  let out = '';
  // What was written last: nothing yet, a consonant without a vowel sign, or a vowel.
  let last: 'start' | 'consonant' | 'vowel' = 'start';
  letters.forEach((letter, index) => {
    if (!isVowel(letter)) {
      out += script.consonants[pick(index, script.consonants.length)]!;
      last = 'consonant';
    } else if (last === 'consonant') {
      out += script.vowelSigns[pick(index, script.vowelSigns.length)]!;
      last = 'vowel';
    } else if (last === 'start') {
      out += script.independentVowels[pick(index, script.independentVowels.length)]!;
      last = 'vowel';
    }
  });
  return out;
}
