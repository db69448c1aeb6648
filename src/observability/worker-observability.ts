import type { Worker } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { Logger } from 'pino';
import type { Config } from '../config/settings.js';
import { loadPriceTable } from '../cost/price-file.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import { PrometheusWorkerMetrics } from './metrics.js';
import { openProbeConnection, redisReadiness, storageReadiness } from './readiness-checks.js';
import type { WorkerMetrics } from './worker-metrics.js';
import { closeAll, type WorkerRuntime } from '../runtime/runtime.js';

/** A worker process's metrics and health server: both off unless a health port is configured. */
export interface WorkerObservability {
  /** For the job deps (`createImageWorker({ ...runtime, metrics })`); undefined when off. */
  readonly metrics: WorkerMetrics | undefined;
  /** Starts the health server, once `worker` is ready; nothing when off. */
  serve(worker: Worker): Promise<HealthServer | undefined>;
  /** Stops the server and its Redis probe; safe to call twice. */
  close(): Promise<void>;
}

/** `healthPort` undefined: off; 0: a free port the system picks (tests; see `HealthServer.port`). */
export type ObservabilitySettings = Pick<Config, 'healthPort' | 'healthHost' | 'priceFile'>;

/**
 * Metrics are created before the worker (the jobs report into them) and served after it is ready,
 * so `/readyz` never says ready for a worker that cannot take jobs yet.
 */
export function createWorkerObservability(runtime: WorkerRuntime, settings: ObservabilitySettings, logger: Logger): WorkerObservability {
  if (settings.healthPort === undefined) {
    return { metrics: undefined, serve: () => Promise.resolve(undefined), close: () => Promise.resolve() };
  }
  const metrics = new PrometheusWorkerMetrics({
    queue: runtime.queue,
    deployments: runtime.pool.members.map((member) => member.spec),
    priceTable: loadPriceTable(settings.priceFile),
    onCollectError: (error) => logger.warn({ err: error }, 'metrics scrape without queue job counts'),
  });
  let server: HealthServer | undefined;
  let probe: RedisClient | undefined;
  let closed: Promise<void> | undefined;
  return {
    metrics,
    async serve(worker) {
      probe = openProbeConnection(runtime.redis, logger);
      server = await startHealthServer({
        port: settings.healthPort!,
        host: settings.healthHost,
        registry: metrics.registry,
        checks: {
          redis: redisReadiness(probe),
          storage: storageReadiness(runtime.blobStore.container),
          worker: () => (worker.closing === undefined && worker.isRunning() ? Promise.resolve() : Promise.reject(new Error('the worker is stopping'))),
        },
        onError: (error) => logger.error({ err: error }, 'health server error'),
      });
      logger.info({ health: server.url, endpoints: ['/metrics', '/livez', '/readyz'] }, 'health server listening');
      return server;
    },
    close: () => (closed ??= closeAll([() => server?.close() ?? Promise.resolve(), () => Promise.resolve(probe?.disconnect())], logger)),
  };
}
