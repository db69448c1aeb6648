import type { RedisClient } from '../redis/connection.js';
import type { RunKeys } from './run-keys.js';

/** One translated text of a run, as the image step rendered it. */
export interface RunTranslation {
  text: string;
  /** The chat model that translated it. */
  model: string;
}

const field = (id: string, locale: string): string => `${id}\u0000${locale}`;
const key = (keys: RunKeys, runId: string): string => `${keys.run(runId)}:translations`;

/**
 * The translations a run rendered (`run --translate`), kept with the run (`<run>:translations`, a hash
 * of `id \0 locale` -> text and model) so that a retry or a re-render of a rejected image renders the
 * very same text, and the gallery can show it, without asking the chat model again.
 */
export async function saveRunTranslations(redis: RedisClient, keys: RunKeys, runId: string, translations: ReadonlyMap<string, RunTranslation & { id: string; locale: string }>): Promise<void> {
  if (translations.size === 0) return;
  const fields: Record<string, string> = {};
  for (const entry of translations.values()) fields[field(entry.id, entry.locale)] = JSON.stringify({ text: entry.text, model: entry.model });
  await redis.hset(key(keys, runId), fields);
}

/** The run's translations by `id \0 locale` (the key translationItemKey makes); empty for a run without any. */
export async function loadRunTranslations(redis: RedisClient, keys: RunKeys, runId: string): Promise<Map<string, RunTranslation>> {
  const all = await redis.hgetall(key(keys, runId));
  return new Map(Object.entries(all).map(([name, value]) => [name, JSON.parse(value) as RunTranslation]));
}
