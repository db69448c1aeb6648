import { Queue } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { Logger } from 'pino';
import type { Config } from '../config/settings.js';
import { interruptedOr } from '../errors/interrupted.js';
import { DeploymentPool } from '../deployments/deployment-pool.js';
import { loadFingerprintSecret } from '../deployments/fingerprint-secret.js';
import { REGISTRATION_INTERVAL_MS } from '../deployments/deployment-keys.js';
import { loadDeployments } from '../deployments/deployment-spec.js';
import { createProviderImageApi } from '../image-api/create-provider-api.js';
import type { ImageJobData } from '../queue/image-job.js';
import type { TextCheckJobData } from '../queue/text-check-job.js';
import { assertReachable, createRedis } from '../redis/connection.js';
import { RunStore } from '../runs/run-store.js';
import { BlobStore } from '../storage/blob-store.js';
import { ImageStaging } from '../storage/image-staging.js';
import { MasterStore } from '../sources/master-store.js';

/** Everything a producer or a worker process needs, built once from the configuration. */
export interface Runtime {
  config: Config;
  redis: RedisClient;
  queue: Queue<ImageJobData>;
  runStore: RunStore;
  logger: Logger;
  /** Closes every connection; safe to call twice, runs every step even when one fails. */
  close(): Promise<void>;
}

export interface WorkerRuntime extends Runtime {
  connection: RedisClient;
  pool: DeploymentPool;
  blobStore: BlobStore;
  staging: ImageStaging;
  masters: MasterStore;
  /** Where stored images go to have their text read back; undefined with `--text-check off`. */
  textCheckQueue: Queue<TextCheckJobData> | undefined;
}

/**
 * `role: 'worker'` keeps Redis commands waiting through a Redis restart instead of failing them: a
 * worker's quota, staging and settle calls must outlast a failover, a CLI query should not.
 */
export async function openRuntime(config: Config, logger: Logger, role: 'worker' | 'client' = 'client'): Promise<Runtime> {
  await assertReachable(config.redisUrl, config.redisClusterNodes);
  const redis = createRedis(config.redisUrl, { role, clusterNodes: config.redisClusterNodes });
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  const queue: Queue<ImageJobData> = new Queue(config.queueName, { connection: redis, prefix: config.queuePrefix });
  queue.on('error', (error) => logger.error({ err: error }, 'queue error'));
  const runStore = new RunStore(redis, config.queuePrefix, config.queueName);
  let closed: Promise<void> | undefined;
  return {
    config,
    redis,
    queue,
    runStore,
    logger,
    close: () => (closed ??= closeAll([() => queue.close(), () => redis.quit().then(() => undefined)], logger)),
  };
}

/**
 * `stop` (the command's first SIGINT/SIGTERM) ends the start-up early, whatever it is waiting for,
 * with an InterruptedError (exit 130).
 */
export async function openWorkerRuntime(config: Config, logger: Logger, options: { fetch?: typeof fetch; stop?: AbortSignal } = {}): Promise<WorkerRuntime> {
  // Each deployment gets the client of its provider: Azure OpenAI's images API, or MAI's.
  const members = loadDeployments(config).map((spec) => ({ spec, api: createProviderImageApi(spec.provider, spec.api, options) }));
  const blobStore = BlobStore.fromSettings(config);
  const runtime = await openRuntime(config, logger, 'worker');
  try {
    logger.debug({ storage: blobStore.displayUrl }, 'checking blob storage');
    await blobStore.ensureContainer({ stop: options.stop });
  } catch (error) {
    await runtime.close();
    throw interruptedOr(error, options.stop, `waiting for blob storage at ${blobStore.displayUrl}`);
  }
  const keyBase = runtime.runStore.keys.base;
  const pool = new DeploymentPool(runtime.redis, keyBase, members, {
    failures: config.breakerFailures,
    cooldownMs: config.breakerCooldownMs,
    trialLeaseMs: config.requestTimeoutMs + 30_000,
    fingerprintSecret: await loadFingerprintSecret(config.localDir),
  });
  // Known to the dashboard from now on, and again every minute while this process runs, so a
  // deployment no worker serves any more shows as such. A worker that cannot even write this is not ready.
  await pool.register().catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  // A deployment held because its key or endpoint failed, now configured differently: try it now.
  const released = await pool.releaseReconfigured().catch((error: unknown) => {
    logger.debug({ err: error }, 'could not look for deployments to release');
    return [];
  });
  if (released.length > 0) {
    // Workers that found every deployment held paused the whole queue for as long: lift that too.
    await runtime.queue.removeRateLimitKey().catch((error: unknown) => logger.debug({ err: error }, 'could not lift the queue rate limit'));
    logger.info({ deployments: released }, 'deployments noted unusable under another configuration are tried again at once');
  }
  const registration = setInterval(() => {
    pool.register().catch((error: unknown) => logger.debug({ err: error }, 'could not repeat the deployment registration'));
  }, REGISTRATION_INTERVAL_MS);
  registration.unref();
  const masters = new MasterStore(runtime.redis, keyBase, { storage: blobStore });
  const textCheckQueue = config.textCheck === 'off' ? undefined : new Queue<TextCheckJobData>(config.textCheckQueue, { connection: runtime.redis, prefix: config.queuePrefix });
  textCheckQueue?.on('error', (error) => logger.error({ err: error }, 'text-check queue error'));
  const close = (): Promise<void> => {
    clearInterval(registration);
    return closeAll([() => textCheckQueue?.close() ?? Promise.resolve(), () => runtime.close()], logger);
  };
  return { ...runtime, close, connection: runtime.redis, pool, blobStore, staging: new ImageStaging(runtime.redis, keyBase), masters, textCheckQueue };
}

/** Runs every cleanup step, in order, even when one throws; failures are logged, not rethrown. */
export async function closeAll(steps: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      logger.warn({ err: error }, 'error while closing');
    }
  }
}
