import type { ContainerClient } from '@azure/storage-blob';
import type { Redis } from 'ioredis';
import type { ReadinessCheck } from './health-server.js';

/**
 * Redis answers PING. Give it a connection that fails fast while Redis is away
 * (`enableOfflineQueue: false`): the worker's own connection queues commands through an outage,
 * which is right for jobs and wrong for a probe.
 */
export function redisReadiness(redis: Pick<Redis, 'ping'>): ReadinessCheck {
  return async () => {
    // An error reply (LOADING while Redis replays its AOF, NOAUTH) rejects.
    await redis.ping();
  };
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
