import type { ContainerClient } from '@azure/storage-blob';
import { duplicateRedis, type RedisClient } from '../redis/connection.js';
import type { Logger } from 'pino';
import type { ReadinessCheck } from './health-server.js';

/**
 * Redis answers PING. Give it a connection that fails fast while Redis is away
 * (`enableOfflineQueue: false`): the worker's own connection queues commands through an outage,
 * which is right for jobs and wrong for a probe.
 */
export function redisReadiness(redis: Pick<RedisClient, 'ping'>): ReadinessCheck {
  return async () => {
    // An error reply (LOADING while RedisClient replays its AOF, NOAUTH) rejects.
    await redis.ping();
  };
}

/**
 * A connection for the RedisClient readiness check, beside the process's own: it fails a PING at once while
 * Redis is away (no offline queue, no retries), where the process's connection waits through an outage.
 */
export function openProbeConnection(redis: RedisClient, logger: Logger): RedisClient {
  const probe = duplicateRedis(redis, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  probe.on('error', (error) => logger.debug({ err: error }, 'readiness probe redis connection error'));
  return probe;
}

/** The image container exists and answers (its properties can be read with the worker's credentials). */
export function storageReadiness(container: Pick<ContainerClient, 'getProperties' | 'containerName'>): ReadinessCheck {
  return async (signal) => {
    try {
      await container.getProperties({ abortSignal: signal });
    } catch (error) {
      if (error instanceof Error && 'statusCode' in error && error.statusCode === 404) throw new Error(`container '${container.containerName}' does not exist`);
      throw error;
    }
  };
}
