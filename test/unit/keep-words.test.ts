import { describe, expect, it } from 'vitest';
import { ImageRenderer } from '../../src/mock-api/render-image.js';
import { TesseractReader } from '../../src/text-check/tesseract-reader.js';
import { keepWordsTogether } from '../../src/text-render/keep-words.js';

describe('keepWordsTogether', () => {
  it('joins the syllables of each Korean word and leaves spaces, digits and other scripts alone', () => {
    expect(keepWordsTogether('봄맞이 세일 최대 50% 할인', 'ko')).toBe('봄\u2060맞\u2060이 세\u2060일 최\u2060대 50% 할\u2060인');
    expect(keepWordsTogether('春のセール 最大50%オフ', 'ja')).toBe('春のセール 最大50%オフ');
    expect(keepWordsTogether('वसंत सेल', 'hi')).toBe('वसंत सेल');
  });

  // The quick start's Korean banner came out as "봄맞이 세일 최 / 대 50% 할인".
  it('the stand-in breaks a Korean banner between words only', async () => {
    const text = '봄맞이 세일 최대 50% 할인';
    const image = await new ImageRenderer().render({
      width: 1024,
      height: 1024,
      format: 'png',
      compression: undefined,
      background: 'auto',
      prompt: 'spring sale',
      variant: 0,
      text: { value: text, locale: 'ko' },
    });
    const reading = await new TesseractReader().read(image, 'ko', { pass: 1 });
    const lines = reading.text.split('\n').map((line) => line.replace(/\s+/g, ' ').trim());
    expect(lines.length).toBeGreaterThan(1);
    for (const word of text.split(' '))
      expect(
        lines.some((line) => line.includes(word)),
        `${word} in one line of ${JSON.stringify(lines)}`,
      ).toBe(true);
  });
});
