import type { RedisClient } from '../redis/connection.js';
import { chatCostMicros, formatChatCost } from '../cost/chat-prices.js';
import { isAPIError } from '../errors/api-error.js';
import { ConfigError, ServiceUnavailableError } from '../errors/polyglyph-error.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { createTranslator, type TranslationSettings } from '../translation/create-translator.js';
import { translateManifest, type ManifestTranslations } from '../translation/translate-manifest.js';
import { NO_CACHE, RedisTranslationCache } from '../translation/translation-cache.js';

export interface TranslationStageOptions {
  manifestPath: string;
  defaults: ManifestDefaults;
  settings: TranslationSettings;
  /** The cache lives here (under `queuePrefix`); undefined: no cache. */
  redis: RedisClient | undefined;
  queuePrefix: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  fetch?: typeof fetch;
}

/**
 * Fills a manifest's empty text cells and says what it did and cost:
 * ```
 * translation: 12 cells on gpt-4.1-mini: 4 from the cache, 8 requests, 2,480 + 310 tokens, $0.0015
 * spring.csv:3:7: warning: the hi text of 'hero' is longer than the limit (POLYGLYPH_MAX_TEXT_CHARS): shorten it
 * ```
 * An API failure is one line with the deployment and how to fix it, not a stack trace.
 */
export async function translationStage(options: TranslationStageOptions): Promise<ManifestTranslations & { costMicros: number | undefined; model: string }> {
  const cache = options.redis ? new RedisTranslationCache(options.redis, options.queuePrefix) : NO_CACHE;
  const translator = createTranslator(options.settings, cache, options.fetch ? { fetch: options.fetch } : {});
  let result: ManifestTranslations;
  try {
    result = await translateManifest({ manifestPath: options.manifestPath, defaults: options.defaults, translator });
  } catch (error) {
    if (!isAPIError(error)) throw error;
    const where = `the translation deployment ${options.settings.translationDeployment}`;
    const fix = 'check POLYGLYPH_TRANSLATION_DEPLOYMENT, POLYGLYPH_TRANSLATION_ENDPOINT (or AZURE_OPENAI_ENDPOINT) and the key; the deployment must be a chat model that supports structured outputs';
    if (error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429)
      throw new ConfigError(`${where} refused the request: ${error.message}`, { hint: fix });
    throw new ServiceUnavailableError(`${where} did not answer: ${error.message}`, { hint: 'try again later; translations already made are cached' });
  }
  const costMicros = chatCostMicros(translator.model, result.usage);
  const tokens = `${result.usage.promptTokens.toLocaleString('en-US')} + ${result.usage.completionTokens.toLocaleString('en-US')} tokens`;
  options.out.write(
    `translation: ${result.filled} empty text cell${result.filled === 1 ? '' : 's'} on ${translator.model}: ${result.cached} from the cache, ${result.requests} request${result.requests === 1 ? '' : 's'}, ${tokens}, cost ${formatChatCost(translator.model, result.usage)}${options.redis ? '' : ' (no cache: RedisClient not reachable)'}\n`,
  );
  const file = options.manifestPath;
  for (const flag of result.flags) options.err.write(`${file}:${flag.line}:${flag.column}: warning: ${flag.message}\n`);
  return { ...result, costMicros, model: translator.model };
}
