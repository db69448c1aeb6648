import { getLocale, type LocaleCode } from '../locales/registry.js';
import type { ChatClient, ChatUsage } from './chat-client.js';
import { glossaryDigest, glossaryFor, type Glossary } from './glossary.js';
import { visibleLength } from './text-length.js';
import { translationKey, type TranslationCache } from './translation-cache.js';
import { InvalidResponseError } from '../errors/api-error.js';

/** One filled cell. */
export interface Translation {
  text: string;
  /** The chat model that made it. */
  model: string;
  /** From the cache: nothing was paid for it now. */
  cached: boolean;
  usage: ChatUsage | undefined;
  /** Longer than the limit: flagged for the reviewer; `run --translate` refuses to render it. */
  tooLong: boolean;
  /** Glossary terms the answer lacks (do-not-translate names, required renderings): flagged too. */
  missingTerms: string[];
}

export interface TranslatorOptions {
  client: ChatClient;
  /** The model behind the deployment: part of the cache key. */
  model: string;
  glossary: Glossary;
  cache: TranslationCache;
  maxTextChars: number;
}

/** The shape the model must answer in (strict structured output: every property required, no others). */
export const TRANSLATION_SCHEMA = {
  name: 'polyglyph_translation',
  schema: { type: 'object', properties: { translation: { type: 'string', description: 'the translated text, nothing else' } }, required: ['translation'], additionalProperties: false },
} as const;

const SYSTEM_PROMPT = [
  'You translate short marketing texts that will be rendered inside images.',
  'The user message is a JSON object: "text" to translate, "target_locale" and "target_language", "do_not_translate" (names to keep exactly as written, in Latin letters), "glossary" (source term -> the rendering to use), "max_characters" (the longest the translation may be).',
  'Translate "text" into the target language and script, natural and concise, as a native copywriter would. Keep every do_not_translate name verbatim; use the glossary renderings. Stay within max_characters.',
  'Answer with {"translation": "..."} only.',
].join('\n');

/**
 * Translates one message into one locale with a chat deployment, through the cache: a (message,
 * locale, glossary, model) translated before costs nothing. The answer is checked, not trusted: the
 * length limit and the glossary terms are verified and reported back as flags.
 */
export class Translator {
  constructor(private readonly options: TranslatorOptions) {}

  get model(): string {
    return this.options.model;
  }

  async translate(message: string, locale: LocaleCode): Promise<Translation> {
    const applied = glossaryFor(this.options.glossary, message, locale);
    const key = translationKey({ message, locale, glossaryDigest: glossaryDigest(applied), model: this.options.model });
    const check = (text: string): Pick<Translation, 'tooLong' | 'missingTerms'> => ({
      tooLong: visibleLength(text) > this.options.maxTextChars,
      missingTerms: [...applied.doNotTranslate, ...Object.values(applied.terms)].filter((term) => !text.includes(term)),
    });
    const cached = await this.options.cache.get(key);
    if (cached) return { text: cached.text, model: cached.model, cached: true, usage: undefined, ...check(cached.text) };

    const info = getLocale(locale);
    const request = {
      text: message,
      target_locale: locale,
      target_language: `${info.englishName} (${info.scriptName})`,
      do_not_translate: applied.doNotTranslate,
      glossary: applied.terms,
      max_characters: this.options.maxTextChars,
    };
    const answer = await this.options.client.complete(
      [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: JSON.stringify(request) },
      ],
      TRANSLATION_SCHEMA,
    );
    const text = (answer.json as { translation?: unknown } | null)?.translation;
    if (typeof text !== 'string' || text.trim() === '') throw new InvalidResponseError('the translation answer has no "translation" string', 'invalid_response', answer.requestId);
    const translation = text.trim();
    await this.options.cache.set(key, { text: translation, model: this.options.model });
    return { text: translation, model: this.options.model, cached: false, usage: answer.usage, ...check(translation) };
  }
}
