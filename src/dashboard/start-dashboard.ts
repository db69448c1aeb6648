import { createServer } from 'node:http';
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/settings.js';
import { loadPriceTable } from '../cost/price-file.js';
import { listen, type Listening } from '../http/listen.js';
import type { ReadinessCheck } from '../observability/health-server.js';
import { openProbeConnection, redisReadiness, storageReadiness } from '../observability/readiness-checks.js';
import { workersPace } from '../runs/workers-pace.js';
import { readDeploymentUsage } from '../deployments/deployment-usage.js';
import { assertReachable, createRedis } from '../redis/connection.js';
import { RunStore } from '../runs/run-store.js';
import { openScheduleQueue } from '../schedules/schedules.js';
import { BlobStore } from '../storage/blob-store.js';
import { assertSafeToListen, hasCredentials, type DashboardCredentials } from './dashboard-auth.js';
import { createDashboardApp } from './dashboard-app.js';
import { reviewRerender, type RerenderSettings } from './review-rerender.js';

export type DashboardSettings = Pick<
  Config,
  | 'redisUrl'
  | 'redisClusterNodes'
  | 'queueName'
  | 'queuePrefix'
  | 'storageConnectionString'
  | 'storageAccountUrl'
  | 'container'
  | 'priceFile'
  | 'dashboardHost'
  | 'dashboardPort'
  | 'dashboardAllowedHosts'
  | 'dashboardToken'
  | 'dashboardUser'
  | 'dashboardPassword'
>;

export interface Dashboard extends Listening {
  /** Whether requests need credentials (they do whenever any are configured). */
  readonly authenticated: boolean;
}

/**
 * Starts `polyglyph dashboard`: its own Redis connections (queries fail fast while Redis is away, so a
 * page answers 503 instead of hanging), the app, and the HTTP server. Refuses to listen beyond
 * loopback without credentials, before connecting to anything.
 */
export async function startDashboard(settings: DashboardSettings, logger: Logger, options: { allowJobActions?: boolean; rerender?: RerenderSettings } = {}): Promise<Dashboard> {
  const credentials: DashboardCredentials = { token: settings.dashboardToken, user: settings.dashboardUser, password: settings.dashboardPassword };
  assertSafeToListen(settings.dashboardHost, credentials);
  await assertReachable(settings.redisUrl, settings.redisClusterNodes);

  const redis = createRedis(settings.redisUrl, { role: 'client', clusterNodes: settings.redisClusterNodes });
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  const probe = openProbeConnection(redis, logger);
  const imageQueue = new Queue(settings.queueName, { connection: redis, prefix: settings.queuePrefix });
  const scheduleQueue = openScheduleQueue(redis, settings);
  for (const queue of [imageQueue, scheduleQueue]) queue.on('error', (error) => logger.debug({ err: error, queue: queue.name }, 'queue error'));

  const checks: Record<string, ReadinessCheck> = { redis: redisReadiness(probe) };
  const storage = BlobStore.ifConfigured(settings);
  if (storage) checks.storage = storageReadiness(storage.container);

  const runStore = new RunStore(redis, settings.queuePrefix, settings.queueName);
  const priceTable = loadPriceTable(settings.priceFile);
  const app = createDashboardApp({
    runStore,
    imageQueue,
    scheduleQueue,
    deployments: () => readDeploymentUsage(redis, runStore.keys.base),
    pace: (run) => workersPace(redis, runStore.keys.base, run),
    checks,
    credentials: hasCredentials(credentials) ? credentials : undefined,
    allowJobActions: options.allowJobActions ?? false,
    listenHost: settings.dashboardHost,
    allowedHosts: settings.dashboardAllowedHosts
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    priceTable,
    blobStore: storage,
    rerender: options.rerender && reviewRerender({ queue: imageQueue, runStore, priceTable }, options.rerender),
    logger,
  });
  const server = createServer(app);
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.on('error', (error) => logger.error({ err: error }, 'dashboard server error'));

  let listening: Listening;
  try {
    listening = await listen(server, settings.dashboardPort, settings.dashboardHost, 'the dashboard', 'choose another POLYGLYPH_DASHBOARD_PORT (--port) or check POLYGLYPH_DASHBOARD_HOST (--host)');
  } catch (error) {
    await Promise.allSettled([imageQueue.close(), scheduleQueue.close()]);
    redis.disconnect();
    probe.disconnect();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    url: listening.url,
    port: listening.port,
    authenticated: hasCredentials(credentials),
    close: () =>
      (closed ??= (async () => {
        await listening.close();
        await Promise.allSettled([imageQueue.close(), scheduleQueue.close()]);
        await redis.quit().catch(() => redis.disconnect());
        probe.disconnect();
      })()),
  };
}
