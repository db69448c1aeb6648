/**
 * The locales Polyglyph renders, with the facts a prompt and the blob metadata need: the language's
 * English and native names and its ISO 15924 script. Chinese is two locales because the script, not
 * the language, decides what the image must show.
 */

export const LOCALE_CODES = ['ja', 'ko', 'hi', 'bn', 'zh-Hans', 'zh-Hant'] as const;
export type LocaleCode = (typeof LOCALE_CODES)[number];

export interface LocaleInfo {
  code: LocaleCode;
  englishName: string;
  nativeName: string;
  /** ISO 15924 script code. */
  script: 'Jpan' | 'Kore' | 'Deva' | 'Beng' | 'Hans' | 'Hant';
  /** The script as a prompt names it. */
  scriptName: string;
  /** Other BCP 47 tags accepted for this locale (matched case-insensitively, `_` or `-`). */
  aliases: readonly string[];
}

const LOCALES: Readonly<Record<LocaleCode, LocaleInfo>> = {
  ja: { code: 'ja', englishName: 'Japanese', nativeName: '日本語', script: 'Jpan', scriptName: 'Japanese script (kanji with hiragana and katakana)', aliases: ['ja-JP', 'ja-Jpan', 'ja-Jpan-JP'] },
  ko: { code: 'ko', englishName: 'Korean', nativeName: '한국어', script: 'Kore', scriptName: 'Hangul', aliases: ['ko-KR', 'ko-Kore', 'ko-Kore-KR'] },
  hi: { code: 'hi', englishName: 'Hindi', nativeName: 'हिन्दी', script: 'Deva', scriptName: 'Devanagari script', aliases: ['hi-IN', 'hi-Deva', 'hi-Deva-IN'] },
  bn: { code: 'bn', englishName: 'Bengali', nativeName: 'বাংলা', script: 'Beng', scriptName: 'Bengali script', aliases: ['bn-BD', 'bn-IN', 'bn-Beng'] },
  'zh-Hans': {
    code: 'zh-Hans',
    englishName: 'Chinese (Simplified)',
    nativeName: '简体中文',
    script: 'Hans',
    scriptName: 'Simplified Chinese characters',
    aliases: ['zh-CN', 'zh-SG', 'zh-Hans-CN', 'zh-Hans-SG'],
  },
  'zh-Hant': {
    code: 'zh-Hant',
    englishName: 'Chinese (Traditional)',
    nativeName: '繁體中文',
    script: 'Hant',
    scriptName: 'Traditional Chinese characters',
    aliases: ['zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant-TW', 'zh-Hant-HK'],
  },
};

const BY_TAG: ReadonlyMap<string, LocaleCode> = new Map(Object.values(LOCALES).flatMap((info) => [info.code, ...info.aliases].map((tag) => [tag.toLowerCase(), info.code] as const)));

export function getLocale(code: LocaleCode): LocaleInfo {
  return LOCALES[code];
}

/** The canonical locale for a tag such as `ja`, `JA-jp`, `zh_TW`; undefined when not supported. */
export function resolveLocale(tag: string): LocaleCode | undefined {
  return BY_TAG.get(tag.trim().replaceAll('_', '-').toLowerCase());
}

/**
 * Parses a `locales` cell: codes separated by `;`, `,`, `|` or spaces. Returns the canonical locales in
 * order without duplicates (`ja;ja-JP` is one locale), and the tags it did not recognise.
 */
export function parseLocaleList(cell: string): { locales: LocaleCode[]; unknown: string[] } {
  const locales: LocaleCode[] = [];
  const unknown: string[] = [];
  for (const tag of cell.split(/[;,|\s]+/)) {
    if (tag === '') continue;
    const code = resolveLocale(tag);
    if (code === undefined) unknown.push(tag);
    else if (!locales.includes(code)) locales.push(code);
  }
  return { locales, unknown };
}

/** For error hints: "ja (ja-JP), ko (ko-KR), ...". */
export function describeAcceptedLocales(): string {
  return LOCALE_CODES.map((code) => `${code} (${LOCALES[code].englishName}; also ${LOCALES[code].aliases.filter((a) => /^[a-z]{2}-[A-Z]{2}$/.test(a)).join(', ')})`).join(', ');
}
