import { describe, expect, it } from 'vitest';
import { buildPrompt } from '../../src/prompts/build-prompt.js';
import { garbleText } from '../../src/mock-api/garble-text.js';
import { readPromptText, textToDraw } from '../../src/mock-api/prompt-text.js';
import { pseudoTranslate } from '../../src/mock-api/pseudo-translation.js';
import { characterErrorRate } from '../../src/text-check/character-error-rate.js';
import { evaluateReading } from '../../src/text-check/evaluate-reading.js';
import { DEFAULT_MAX_CER, parseMaxCer } from '../../src/text-check/max-cer.js';
import { normaliseForCheck } from '../../src/text-check/normalise-text.js';

describe('text check: normalisation and character error rate', () => {
  it('ignores whitespace, punctuation, symbols and Unicode composition', () => {
    // ক + ্ + ষ written decomposed vs precomposed forms, spaces and OCR line breaks, full-width punctuation.
    expect(normaliseForCheck('春のセール、最大50%オフ！')).toBe('春のセール最大50オフ');
    expect(normaliseForCheck('\u1100\u1161 x')).toBe('가x');
    expect(characterErrorRate('वसंत सेल: 50% तक', 'वसंत सेल\n50 तक')).toBe(0);
    expect(characterErrorRate('春季新品系列', '春季 新品\n系列')).toBe(0);
  });

  it('counts dropped, swapped and wrong characters against the expected length', () => {
    expect(characterErrorRate('春季新品系列', '春季新系列')).toBeCloseTo(1 / 6);
    expect(characterErrorRate('春季新品系列', '春季品新系列')).toBeCloseTo(2 / 6);
    expect(characterErrorRate('봄 세일', '봄 세X')).toBeCloseTo(1 / 3);
    expect(characterErrorRate('abc', '')).toBe(1);
  });

  it('flags an image above its script threshold, passes one within, and checks the script when there is no expected text', () => {
    const maxCer = parseMaxCer(undefined);
    expect(evaluateReading({ locale: 'ja', expected: '春のセール', read: '春のセール', engine: 't', maxCer }).status).toBe('ok');
    const bad = evaluateReading({ locale: 'ja', expected: '春のセール', read: '春のR一ル', engine: 't', maxCer });
    expect(bad).toMatchObject({ status: 'needs_review', cer: 0.4, maxCer: DEFAULT_MAX_CER.Jpan });
    expect(evaluateReading({ locale: 'ko', expected: undefined, read: '봄 세일', engine: 't', maxCer })).toMatchObject({ status: 'unverified', cer: null, expectedText: null });
    expect(evaluateReading({ locale: 'ko', expected: undefined, read: 'Spring sale', engine: 't', maxCer }).status).toBe('needs_review');
    expect(evaluateReading({ locale: 'hi', expected: undefined, read: '', engine: 't', maxCer }).status).toBe('needs_review');
  });

  it('reads per-script thresholds from the setting and refuses nonsense', () => {
    expect(parseMaxCer('0.3').Deva).toBe(0.3);
    expect(parseMaxCer('Hant=0.25,Deva=0.1')).toMatchObject({ Hant: 0.25, Deva: 0.1, Jpan: DEFAULT_MAX_CER.Jpan });
    expect(() => parseMaxCer('Latn=0.2')).toThrow(/expected a number from 0 to 1, or SCRIPT=number pairs/);
    expect(() => parseMaxCer('2')).toThrow(/got '2'/);
  });
});

describe('stand-in: the text it draws', () => {
  it('reads the quoted literal text of a prompt, in its locale', () => {
    const prompt = buildPrompt({ message: 'Spring sale', locale: 'bn', text: 'বসন্তের সেল: "৫০%" ছাড়', direction: 'A street' });
    expect(readPromptText(prompt)).toEqual({ text: 'বসন্তের সেল: "৫০%" ছাড়', locale: 'bn', source: 'literal' });
  });

  it('draws a deterministic pseudo-translation in the target script when the prompt asks for a translation', () => {
    const prompt = buildPrompt({ message: 'Free shipping on every order', locale: 'zh-Hant', direction: '' });
    const read = readPromptText(prompt);
    expect(read?.source).toBe('pseudo-translation');
    expect(read?.text).toBe(pseudoTranslate('Free shipping on every order', 'zh-Hant'));
    expect(read?.text).toMatch(/^\p{Script=Han}+$/u);
    expect(pseudoTranslate('Free shipping on every order', 'hi')).toMatch(/^[\p{Script=Devanagari} ]+$/u);
    expect(readPromptText('a cat on a sofa, no text')).toBeUndefined();
  });

  it('garbles text deterministically, well beyond the check threshold', () => {
    for (const text of ['春のセール 最大50%オフ', '봄맞이 세일 최대 50% 할인', 'वसंत सेल: 50% तक की छूट', 'বসন্তের সেল', '春季大促 低至五折', '謝謝']) {
      const garbled = garbleText(text, 'seed');
      expect(garbled).toBe(garbleText(text, 'seed'));
      expect(characterErrorRate(text, garbled)).toBeGreaterThan(0.25);
    }
    const prompt = buildPrompt({ message: 'Sale', locale: 'ko', text: '봄맞이 세일 최대 50% 할인', direction: '' });
    expect(textToDraw(prompt, 0, false)?.value).toBe('봄맞이 세일 최대 50% 할인');
    expect(textToDraw(prompt, 0, true)?.value).not.toBe('봄맞이 세일 최대 50% 할인');
  });
});
