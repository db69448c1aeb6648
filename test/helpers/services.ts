import { startAzurite, type AzuriteProcess } from '../../src/local-services/azurite.js';
import { startRedisServer, type TestRedis } from './redis-server.js';

export interface TestServices {
  redis: TestRedis;
  azurite: AzuriteProcess;
  /** Stops both; runs every cleanup even when one throws, then throws what failed. Idempotent. */
  stop(): Promise<void>;
}

/** A private Redis and Azurite for one test file, started in parallel (Azurite takes ~1 s to boot). */
export async function startServices(): Promise<TestServices> {
  const [redis, azurite] = await Promise.allSettled([startRedisServer(), startAzurite()]);
  if (redis.status === 'rejected' || azurite.status === 'rejected') {
    // Do not leak the one that did start.
    await Promise.allSettled([redis.status === 'fulfilled' && redis.value.stop(), azurite.status === 'fulfilled' && azurite.value.stop()]);
    const errors = [redis, azurite].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'could not start the test services');
  }
  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const results = await Promise.allSettled([redis.value.stop(), azurite.value.stop()]);
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (errors.length > 0) throw new AggregateError(errors, 'could not stop every test service');
  };
  return { redis: redis.value, azurite: azurite.value, stop: () => (stopped ??= stop()) };
}
