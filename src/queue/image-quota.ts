import type { Redis } from 'ioredis';

/**
 * The deployment's quota in images per minute, shared by every worker on every machine through one
 * Redis key. It is a GCRA (generic cell rate algorithm) limiter with no burst: admissions are paced
 * evenly, one image every 60,000 / imagesPerMinute ms, because Azure enforces its per-minute quota
 * over 1-10 s windows and punishes bursts with 429s. A request for n images takes n slots.
 * Time comes from the Redis server, so workers with skewed clocks still agree.
 */
const RESERVE = `
local key = KEYS[1]
local interval = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', key) or '0')
if tat < now then tat = now end
if tat > now then return tat - now end
local nextTat = tat + interval * n
redis.call('SET', key, nextTat, 'PX', math.ceil(nextTat - now) + 60000)
return 0
`;

/** Pushes the next admission out by `ms` after a 429, for every worker at once. */
const PENALIZE = `
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', key) or '0')
local until_ = now + tonumber(ARGV[1])
if until_ > tat then redis.call('SET', key, until_, 'PX', tonumber(ARGV[1]) + 60000) end
return 0
`;

export interface ImageQuotaOptions {
  /** Images per minute across all workers. */
  imagesPerMinute: number;
  /** Redis key of the limiter; one per deployment. */
  key: string;
}

export class ImageQuota {
  readonly intervalMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: ImageQuotaOptions,
  ) {
    this.intervalMs = 60_000 / options.imagesPerMinute;
  }

  /** Takes `n` image slots now, or says how many ms to wait before trying again. */
  async reserve(n: number): Promise<{ granted: true } | { granted: false; waitMs: number }> {
    const waitMs = Number(await this.redis.eval(RESERVE, 1, this.options.key, String(this.intervalMs), String(n)));
    return waitMs <= 0 ? { granted: true } : { granted: false, waitMs: Math.ceil(waitMs) };
  }

  /** After a 429: nobody is admitted for `ms`. */
  async penalize(ms: number): Promise<void> {
    await this.redis.eval(PENALIZE, 1, this.options.key, String(Math.ceil(ms)));
  }
}
