import { describe, expect, it } from 'vitest';
import { pseudoLocalize } from '../../src/mock-api/pseudo-localize.js';

const MESSAGES = [
  'Weekend deal on shoes',
  'Flash sale starts now',
  'Our new store is open',
  'Earn points with every purchase',
  'Upgrade your home office',
  'Queue up early: 50% off!',
  'Café crème brûlée',
  'Rhythm',
];

/**
 * A Bengali word as it is spelled: an independent vowel only at its start, then syllables of a
 * consonant (U+0995..U+09B9) with at most one dependent vowel sign (U+09BE..U+09CC).
 */
const WELL_FORMED_WORD = /^[অআইউএও]?(?:[\u0995-\u09B9][\u09BE-\u09CC]?)*$/u;

describe('Bengali pseudo-localization (the stand-in chat route)', () => {
  it('spells words as Bengali is spelled: vowel signs on consonants, independent vowels only word-initially, never doubled', () => {
    for (const message of MESSAGES) {
      const text = pseudoLocalize(message, 'bn');
      for (const word of text.split(/[\s\p{N}\p{P}\p{S}]+/u).filter(Boolean)) expect(word, `${message} -> ${text}`).toMatch(WELL_FORMED_WORD);
      expect(text.normalize('NFC')).toBe(text);
    }
    // s-a-l-e: consonant, vowel sign, consonant, vowel sign.
    expect(pseudoLocalize('sale', 'bn')).toMatch(/^[\u0995-\u09B9][\u09BE-\u09CC][\u0995-\u09B9][\u09BE-\u09CC]$/u);
    // A vowel after a vowel ("ea") is one sound: one vowel sign.
    expect([...pseudoLocalize('deal', 'bn')]).toHaveLength(3);
  });

  it('writes none of the rare independent vowels ঈ ঊ ঋ ঐ ঔ (Tesseract ben has no ঊ ঋ ঐ ঔ)', () => {
    const text = MESSAGES.map((message) => pseudoLocalize(message, 'bn')).join(' ') + pseudoLocalize('a e i o u A E I O U', 'bn');
    expect(text).not.toMatch(/[ঈঊঋঐঔ]/u);
  });

  it('is deterministic and keeps protected terms, digits and punctuation', () => {
    expect(pseudoLocalize('Up to 50% off', 'bn')).toBe(pseudoLocalize('Up to 50% off', 'bn'));
    expect(pseudoLocalize('Up to 50% off', 'bn')).toMatch(/^\p{Script=Bengali}+ \p{Script=Bengali}+ 50% \p{Script=Bengali}+$/u);
    expect(pseudoLocalize('Polyglyph days at Polyglyph', 'bn', ['Polyglyph'])).toMatch(/^Polyglyph \p{Script=Bengali}+ \p{Script=Bengali}+ Polyglyph$/u);
  });
});

/** A Hindi word as it is spelled: an independent vowel only at its start, then consonants (U+0915..U+0939) with at most one matra. */
const WELL_FORMED_HINDI_WORD = /^[अआइउएओ]?(?:[\u0915-\u0939][\u093E-\u094C]?)*$/u;

// Hindi had the first Bengali shape too ("independent vowels inside words"); Tesseract read it, but
// nobody writes it.
describe('Hindi pseudo-localization (the stand-in chat route)', () => {
  it('spells words as Devanagari is spelled, deterministically, keeping digits and protected terms', () => {
    for (const message of MESSAGES) {
      const text = pseudoLocalize(message, 'hi');
      for (const word of text.split(/[\s\p{N}\p{P}\p{S}]+/u).filter(Boolean)) expect(word, `${message} -> ${text}`).toMatch(WELL_FORMED_HINDI_WORD);
    }
    expect(pseudoLocalize('sale', 'hi')).toMatch(/^[\u0915-\u0939][\u093E-\u094C][\u0915-\u0939][\u093E-\u094C]$/u);
    expect(pseudoLocalize('Up to 50% off', 'hi')).toBe(pseudoLocalize('Up to 50% off', 'hi'));
    expect(pseudoLocalize('Polyglyph days at Polyglyph', 'hi', ['Polyglyph'])).toMatch(/^Polyglyph \p{Script=Devanagari}+ \p{Script=Devanagari}+ Polyglyph$/u);
  });
});
