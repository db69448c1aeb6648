import type { Config } from '../config/settings.js';
import { ConfigError } from '../errors/polyglyph-error.js';
import { apiKeyAuth, entraIdAuth } from '../image-api/auth.js';
import { ChatClient } from './chat-client.js';
import { loadGlossary } from './glossary.js';
import type { TranslationCache } from './translation-cache.js';
import { Translator } from './translator.js';

export type TranslationSettings = Pick<
  Config,
  | 'translationDeployment'
  | 'translationModel'
  | 'translationEndpoint'
  | 'translationApiKey'
  | 'endpoint'
  | 'gptEndpoint'
  | 'apiKey'
  | 'apiStyle'
  | 'apiVersion'
  | 'entraScope'
  | 'glossary'
  | 'maxTextChars'
>;

/** The endpoint translations go to: their own, else the image resource's (with AZURE_GPT_ENDPOINT, its origin). */
export function translationEndpoint(settings: TranslationSettings): string | undefined {
  return settings.translationEndpoint ?? settings.endpoint ?? (settings.gptEndpoint ? new URL(settings.gptEndpoint).origin : undefined);
}

/** The translation deployment a configuration names, with the glossary loaded and the cache given. */
export function createTranslator(settings: TranslationSettings, cache: TranslationCache, options: { fetch?: typeof fetch } = {}): Translator {
  const endpoint = translationEndpoint(settings);
  if (!endpoint) throw new ConfigError('no endpoint for the translation deployment', { hint: 'set POLYGLYPH_TRANSLATION_ENDPOINT or AZURE_OPENAI_ENDPOINT (unset both to use the built-in stand-in)' });
  const apiKey = settings.translationApiKey ?? settings.apiKey;
  const scope = settings.entraScope ?? (settings.apiStyle === 'v1' ? 'https://ai.azure.com/.default' : 'https://cognitiveservices.azure.com/.default');
  const client = new ChatClient({
    endpoint,
    deployment: settings.translationDeployment,
    apiStyle: settings.apiStyle,
    apiVersion: settings.apiVersion,
    auth: apiKey ? apiKeyAuth(apiKey) : entraIdAuth(scope),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return new Translator({ client, model: settings.translationModel ?? settings.translationDeployment, glossary: loadGlossary(settings.glossary), cache, maxTextChars: settings.maxTextChars });
}
