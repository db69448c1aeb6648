import { startRedisServer, type TestRedis } from './redis-server.js';
import { sharedAzurite, type SharedAzurite } from './shared-azurite.js';

export interface TestServices {
  redis: TestRedis;
  /** The run's shared Azurite: use a container of your own (uniqueContainerName); never stop it. */
  azurite: SharedAzurite;
  /** Stops the file's Redis. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A private Redis for one test file, and the run's shared Azurite (see shared-azurite-setup.ts).
 * A file that must stop, kill or restart Azurite starts its own with startAzurite instead.
 */
export async function startServices(): Promise<TestServices> {
  const [redis, azurite] = await Promise.allSettled([startRedisServer(), sharedAzurite()]);
  if (redis.status === 'rejected' || azurite.status === 'rejected') {
    // Do not leak the Redis that did start.
    if (redis.status === 'fulfilled') await redis.value.stop().catch(() => undefined);
    const errors = [redis, azurite].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'could not start the test services');
  }
  return { redis: redis.value, azurite: azurite.value, stop: () => redis.value.stop() };
}
