// A fast, friendly "is Redis there?" check before a command starts queues and workers: without it
// BullMQ retries forever and the user sees a hanging process and a stream of ECONNREFUSED.
import { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../errors/polyglyph-error.js';

/** Redis did not answer PING. The message names the URL (password redacted), the cause and the fix. */
export class RedisUnreachableError extends ServiceUnavailableError {
  /** The URL that was tried, password redacted. */
  readonly url: string;
  /**
   * Nothing refused the connection or the PING: it simply did not answer in time. A Redis that is
   * there but slow (a starved host) looks like this; a stopped one, a wrong host or password does not.
   */
  readonly noAnswer: boolean;

  constructor(url: string, cause: unknown, noAnswer = false) {
    const shown = redactRedisUrl(url);
    super(`Cannot reach Redis at ${shown} (${describeCause(cause)}). Start one (e.g. \`redis-server\` or \`docker compose up -d redis\`) or set REDIS_URL.`, { cause });
    this.url = shown;
    this.noAnswer = noAnswer;
  }
}

/**
 * Connects, sends PING and disconnects; resolves when Redis answered.
 *
 * One attempt, no retries and no offline queue: this is the fail-fast check, not the connection the
 * workers use (those must ride out a Redis restart).
 *
 * @param timeoutMs - for the whole check, connecting included; default 1500 (a command says within 2 s that Redis is down).
 * @throws RedisUnreachableError
 */
export async function assertRedisReachable(url: string, timeoutMs = 1500): Promise<void> {
  let redis: Redis;
  try {
    redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      connectTimeout: timeoutMs,
    });
  } catch (error) {
    throw new RedisUnreachableError(url, error);
  }
  // ioredis rejects connect() with a bare "Connection is closed."; the real reason (ECONNREFUSED,
  // ENOTFOUND, WRONGPASS, ...) only arrives as an 'error' event. Keep the first: later ones are
  // consequences ("Stream isn't writeable") that hide it.
  let firstError: unknown;
  redis.on('error', (error) => (firstError ??= error));
  let timer: NodeJS.Timeout | undefined;
  const noAnswer = new Error(`no answer within ${timeoutMs} ms`);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(noAnswer), timeoutMs);
  });
  const attempt = redis.connect().then(() => redis.ping());
  attempt.catch(() => {}); // when the timeout wins, this still rejects later, once we disconnect
  try {
    await Promise.race([attempt, timeout]);
  } catch (error) {
    redis.disconnect();
    throw new RedisUnreachableError(url, firstError ?? error, firstError === undefined && error === noAnswer);
  } finally {
    clearTimeout(timer);
  }
  await redis.quit().catch(() => redis.disconnect());
}

/**
 * assertRedisReachable for a Redis Cluster: resolves as soon as one seed answers (the client learns
 * the rest of the cluster from it); throws what the first seed said when none does.
 */
export async function assertClusterReachable(url: string, seeds: ReadonlyArray<{ host: string; port: number }>, timeoutMs = 3000): Promise<void> {
  let first: unknown;
  for (const seed of seeds) {
    const parsed = new URL(url);
    parsed.hostname = seed.host.includes(':') ? `[${seed.host}]` : seed.host;
    parsed.port = String(seed.port);
    try {
      return await assertRedisReachable(parsed.toString(), timeoutMs);
    } catch (error) {
      first ??= error;
    }
  }
  throw first;
}

/**
 * The URL with any password replaced by `***` (userinfo and a `password` query parameter), for logs
 * and error messages. A string that is not a URL is returned with anything like `//user:secret@` masked.
 */
export function redactRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
  let changed = false;
  if (parsed.password) {
    parsed.password = '***';
    changed = true;
  }
  if (parsed.searchParams.has('password')) {
    parsed.searchParams.set('password', '***');
    changed = true;
  }
  // Untouched URLs are returned as given, so the message shows exactly what the user typed.
  return changed ? parsed.toString() : url;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  if (cause instanceof AggregateError && cause.errors.length > 0) return describeCause(cause.errors[0]);
  // One line, no trailing period: it goes inside parentheses mid-sentence.
  return (cause.message.split('\n')[0] ?? cause.name).replace(/\.+$/, '') || cause.name;
}
