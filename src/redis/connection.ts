import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /**
   * Workers must keep retrying commands through a Redis restart (BullMQ requires
   * `maxRetriesPerRequest: null` for them); producers and CLI queries should fail fast instead.
   */
  role: 'worker' | 'client';
}

export function createRedis(url: string, options: RedisConnectionOptions): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: options.role === 'worker' ? null : 3,
    enableReadyCheck: true,
    // Exponential reconnect, capped: Azure Cache for Redis fails over in seconds.
    retryStrategy: (times) => Math.min(100 * 2 ** times, 5_000),
  });
}
