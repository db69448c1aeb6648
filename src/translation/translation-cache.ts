import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/connection.js';
import type { LocaleCode } from '../locales/registry.js';

/** What is remembered of one translation. */
export interface CachedTranslation {
  text: string;
  model: string;
}

export interface TranslationCache {
  get(key: string): Promise<CachedTranslation | undefined>;
  set(key: string, value: CachedTranslation): Promise<void>;
}

/**
 * The cache key: everything that changes the answer (message, locale, the glossary entries that apply,
 * the model), so the same message in tomorrow's manifest costs nothing, and a changed glossary entry
 * or model asks again.
 */
export function translationKey(parts: { message: string; locale: LocaleCode; glossaryDigest: string; model: string }): string {
  return createHash('sha256')
    .update(JSON.stringify(['polyglyph.translation/v1', parts.message, parts.locale, parts.glossaryDigest, parts.model]), 'utf8')
    .digest('hex');
}

/** Kept long: a campaign's messages come back for months. Refreshed on every hit. */
const TTL_SECONDS = 180 * 24 * 60 * 60;

/** Translations in Redis, under the queue prefix, one string key each (`<prefix>:translation:<sha256>`). */
export class RedisTranslationCache implements TranslationCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<CachedTranslation | undefined> {
    const value = await this.redis.get(this.redisKey(key));
    if (value === null) return undefined;
    await this.redis.expire(this.redisKey(key), TTL_SECONDS);
    const parsed = JSON.parse(value) as Partial<CachedTranslation>;
    return typeof parsed.text === 'string' && typeof parsed.model === 'string' ? { text: parsed.text, model: parsed.model } : undefined;
  }

  async set(key: string, value: CachedTranslation): Promise<void> {
    await this.redis.set(this.redisKey(key), JSON.stringify(value), 'EX', TTL_SECONDS);
  }

  private redisKey(key: string): string {
    return `${this.prefix}:translation:${key}`;
  }
}

/** No cache (Redis unreachable for `translate`): every cell is asked for. */
export const NO_CACHE: TranslationCache = { get: () => Promise.resolve(undefined), set: () => Promise.resolve() };
