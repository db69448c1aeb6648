import type { Logger } from 'pino';
import type { Config } from '../config/settings.js';
import { startHealthServer, type HealthServer, type ReadinessCheck } from '../observability/health-server.js';
import { openProbeConnection, redisReadiness, storageReadiness } from '../observability/readiness-checks.js';
import { SchedulerMetrics } from '../observability/scheduler-metrics.js';
import { scheduledJobHandler } from '../schedules/run-scheduled.js';
import { createScheduleWorker, scheduleQueueName } from '../schedules/schedules.js';
import { closeAll, openRuntime } from '../runtime/runtime.js';
import { scanDepsFor } from './commands/scan.js';
import { listenForStop } from './stop-signal.js';

/**
 * `polyglyph scheduler`: runs the fired schedules until SIGINT/SIGTERM. With POLYGLYPH_HEALTH_PORT it
 * also serves /metrics (drops by outcome, fired schedules), /livez and /readyz (Redis, storage, and
 * the schedule worker running), as a worker does.
 */
export async function runScheduler(config: Config, logger: Logger): Promise<void> {
  // Listening from the start: a signal while storage is checked (and never answers) ends the wait.
  const stop = listenForStop();
  const runtime = await openRuntime(config, logger, 'worker').catch((error: unknown) => {
    stop.dispose();
    throw error;
  });
  const metrics = config.healthPort !== undefined ? new SchedulerMetrics() : undefined;
  const cleanup: Array<() => Promise<void>> = [() => runtime.close(), () => Promise.resolve(stop.dispose())];
  try {
    const scan = await scanDepsFor(runtime, config, process.stderr, { stop: stop.signal });
    scan.onOutcome = metrics ? (outcome) => metrics.drop(outcome) : undefined;
    const worker = createScheduleWorker(runtime.redis, config, scheduledJobHandler({ scan, startRun: scan.startRun }), runtime.logger);
    cleanup.unshift(() => worker.close());
    worker.on('completed', (job, result) => {
      metrics?.scheduledJob(job.data.schedule, 'completed');
      runtime.logger.info({ schedule: job.data.schedule, jobId: job.id, result }, 'scheduled job done');
    });
    worker.on('failed', (job) => {
      if (job) metrics?.scheduledJob(job.data.schedule, 'failed');
    });
    await worker.waitUntilReady();
    if (metrics) {
      const probe = openProbeConnection(runtime.redis, logger);
      cleanup.push(() => Promise.resolve(probe.disconnect()));
      const checks: Record<string, ReadinessCheck> = {
        redis: redisReadiness(probe),
        scheduler: () => (worker.closing === undefined && worker.isRunning() ? Promise.resolve() : Promise.reject(new Error('the scheduler is stopping'))),
      };
      if (scan.container) checks.storage = storageReadiness(scan.container);
      const server: HealthServer = await startHealthServer({
        port: config.healthPort!,
        host: config.healthHost,
        registry: metrics.registry,
        checks,
        onError: (error) => logger.error({ err: error }, 'health server error'),
      });
      cleanup.unshift(() => server.close());
      logger.info({ health: server.url, endpoints: ['/metrics', '/livez', '/readyz'] }, 'health server listening');
    }
    runtime.logger.info({ queue: scheduleQueueName(config.queueName) }, 'scheduler started');
    await new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    await closeAll(cleanup, logger);
  }
}
