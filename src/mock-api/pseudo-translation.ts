import { createHash } from 'node:crypto';
import type { LocaleCode } from '../locales/registry.js';

/**
 * Common words of each language, real ones so that the drawn text looks like (and reads back as)
 * the script it claims to be. A pseudo-translation is not a translation: it only has to be
 * deterministic, in the right script and plausibly long.
 */
const WORDS: Readonly<Record<LocaleCode, readonly string[]>> = {
  ja: ['春', '新しい', '季節', 'セール', '今日', '特別', '限定', 'お得', 'コレクション', '無料', '配送', '始まる', '世界', '一緒', '毎日', '楽しい', '発見', '商品', '旅行', '夏'],
  ko: ['봄', '새로운', '계절', '세일', '오늘', '특별', '한정', '컬렉션', '무료', '배송', '시작', '세계', '함께', '매일', '즐거운', '발견', '상품', '여행', '여름', '지금'],
  hi: ['नया', 'मौसम', 'बिक्री', 'आज', 'विशेष', 'सीमित', 'संग्रह', 'मुफ्त', 'डिलीवरी', 'शुरू', 'दुनिया', 'साथ', 'हर', 'दिन', 'खुशी', 'खोज', 'सामान', 'यात्रा', 'गर्मी', 'अभी'],
  bn: ['নতুন', 'মৌসুম', 'বিক্রি', 'আজ', 'বিশেষ', 'সীমিত', 'সংগ্রহ', 'বিনামূল্যে', 'ডেলিভারি', 'শুরু', 'বিশ্ব', 'একসাথে', 'প্রতিদিন', 'আনন্দ', 'খোঁজ', 'পণ্য', 'ভ্রমণ', 'গ্রীষ্ম', 'এখন', 'বসন্ত'],
  'zh-Hans': ['春季', '新品', '季节', '促销', '今天', '特别', '限定', '系列', '免费', '配送', '开始', '世界', '一起', '每天', '快乐', '发现', '商品', '旅行', '夏天', '现在'],
  'zh-Hant': ['春季', '新品', '季節', '促銷', '今天', '特別', '限定', '系列', '免費', '配送', '開始', '世界', '一起', '每天', '快樂', '發現', '商品', '旅行', '夏天', '現在'],
};

/** Scripts written without spaces between words. */
const UNSPACED: ReadonlySet<LocaleCode> = new Set(['ja', 'zh-Hans', 'zh-Hant']);

/** Longer messages are cut: marketing lines in images are short, and so should be the stand-in's. */
const MAX_WORDS = 6;

/**
 * The stand-in's answer to "translate this": each English word becomes a word of the target language
 * picked by a hash of the word, so the same message always gives the same text.
 */
export function pseudoTranslate(message: string, locale: LocaleCode): string {
  const words = message
    .toLowerCase()
    .match(/[\p{L}\p{N}']+/gu)
    ?.slice(0, MAX_WORDS) ?? ['?'];
  const vocabulary = WORDS[locale];
  const picked = words.map((word) => vocabulary[createHash('sha256').update(`${locale}\u0000${word}`).digest().readUInt32BE(0) % vocabulary.length]!);
  return picked.join(UNSPACED.has(locale) ? '' : ' ');
}
