import { LOCALE_CODES, getLocale, type LocaleCode } from '../locales/registry.js';
import { garbleText } from './garble-text.js';
import { pseudoTranslate } from './pseudo-translation.js';

/** The words the stand-in draws, and how it came by them. */
export interface PromptText {
  text: string;
  locale: LocaleCode;
  /** `literal`: quoted in the prompt; `pseudo-translation`: the prompt asked for a translation. */
  source: 'literal' | 'pseudo-translation';
}

/**
 * Reads the prompt the way an image model reads it (src/prompts/build-prompt.ts writes it): the text
 * to render is the quoted block after "Render the following <Language> (<native>) text ...:", up to
 * the line that starts "Do not translate"; with "Translate the following message into ... <Language>
 * (<native>) ...:" the quoted block is the English message and the stand-in "translates" it with a
 * deterministic pseudo-translation in the target script. A block the instruction says is "written as
 * a JSON string" (text holding a double quote) is read as one. The language is found by its English and
 * native names, as a reader would. Any other prompt (a user's own wording) has no text to draw.
 */
export function readPromptText(prompt: string): PromptText | undefined {
  const lines = prompt.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    const literal = /^Render the following (.+?) text in the image exactly as written\b.*:\s*$/.exec(line);
    const translate = /^Translate the following message into natural, idiomatic (.+?) suitable\b.*:\s*$/.exec(line);
    const match = literal ?? translate;
    if (!match) continue;
    const locale = localeNamed(match[1]!);
    if (!locale) return undefined;
    const end = literal ? /^Do not translate\b/ : /^Render only the translation\b/;
    const block: string[] = [];
    for (let next = index + 1; next < lines.length && !end.test(lines[next]!); next += 1) block.push(lines[next]!);
    // Text holding a double quote is written as a JSON string, and the instruction says so.
    const quoted = /written as a JSON string/.test(line) ? fromJsonString(block.join('\n').trim()) : unquote(block.join('\n').trim());
    if (quoted === '') return undefined;
    return literal ? { text: quoted, locale, source: 'literal' } : { text: pseudoTranslate(quoted, locale), locale, source: 'pseudo-translation' };
  }
  return undefined;
}

function localeNamed(language: string): LocaleCode | undefined {
  return LOCALE_CODES.find((code) => {
    const info = getLocale(code);
    return language === `${info.englishName} (${info.nativeName})`;
  });
}

function fromJsonString(block: string): string {
  try {
    const value: unknown = JSON.parse(block);
    return typeof value === 'string' ? value : unquote(block);
  } catch {
    return unquote(block);
  }
}

/** One pair of surrounding quotes (straight or typographic), as the prompt builder writes them. */
function unquote(block: string): string {
  const pairs: Array<[string, string]> = [
    ['"', '"'],
    ['\u201c', '\u201d'],
    ['\u300c', '\u300d'],
  ];
  for (const [open, close] of pairs) {
    if (block.length >= 2 && block.startsWith(open) && block.endsWith(close)) return block.slice(open.length, -close.length);
  }
  return block;
}

/**
 * What the renderer draws for image `variant` of a request: the prompt's text, garbled (dropped,
 * swapped or wrong-script characters) when the `garbled-text` fault applies. The garbling is seeded
 * by the prompt and variant, so the same fault on the same request draws the same wrong text.
 */
export function textToDraw(prompt: string, variant: number, garbled: boolean): { value: string; locale: LocaleCode } | undefined {
  const read = readPromptText(prompt);
  if (!read) return undefined;
  return { value: garbled ? garbleText(read.text, `${variant}\u0000${prompt}`) : read.text, locale: read.locale };
}
