import { describe, expect, it } from 'vitest';
import { describeAcceptedLocales, getLocale, LOCALE_CODES, parseLocaleList, resolveLocale } from '../../src/locales/registry.js';

describe('locale registry', () => {
  it.each([
    ['ja', 'ja'],
    ['JA-jp', 'ja'],
    ['ko_KR', 'ko'],
    ['hi-IN', 'hi'],
    ['bn-BD', 'bn'],
    ['bn-in', 'bn'],
    ['zh-CN', 'zh-Hans'],
    ['zh-sg', 'zh-Hans'],
    ['ZH-HANS', 'zh-Hans'],
    ['zh-TW', 'zh-Hant'],
    ['zh-HK', 'zh-Hant'],
    ['zh-hant', 'zh-Hant'],
  ])('resolves %s to %s', (tag, code) => {
    expect(resolveLocale(tag)).toBe(code);
  });

  it.each(['fr', 'zh', 'en-US', '', 'ja-KR'])('does not know %j', (tag) => {
    expect(resolveLocale(tag)).toBeUndefined();
  });

  it('names each language and its ISO 15924 script', () => {
    expect(LOCALE_CODES.map((code) => getLocale(code).script)).toEqual(['Jpan', 'Kore', 'Deva', 'Beng', 'Hans', 'Hant']);
    expect(getLocale('hi')).toMatchObject({ englishName: 'Hindi', nativeName: 'हिन्दी' });
    expect(getLocale('zh-Hant').nativeName).toBe('繁體中文');
  });

  it('splits a cell on ; , | and spaces, canonicalises and drops repeats', () => {
    expect(parseLocaleList('ja-JP zh-TW;ko-KR|hi,bn ja')).toEqual({ locales: ['ja', 'zh-Hant', 'ko', 'hi', 'bn'], unknown: [] });
    expect(parseLocaleList('fr;ja;de-DE')).toEqual({ locales: ['ja'], unknown: ['fr', 'de-DE'] });
    expect(parseLocaleList('  ')).toEqual({ locales: [], unknown: [] });
  });

  it('lists every accepted locale for error hints', () => {
    const text = describeAcceptedLocales();
    for (const code of [...LOCALE_CODES, 'ja-JP', 'bn-IN', 'zh-CN', 'zh-HK']) expect(text).toContain(code);
  });
});
