import type { Logger } from 'pino';
import type { Config } from '../src/config/settings.js';
import { createImageWorker, imageWorkerOptions } from './image-worker.js';
import { createWorkerObservability, type WorkerObservability } from './observability.js';
import { closeAll, openWorkerRuntime } from './runtime.js';

export interface WorkerProcessOptions {
  /** After the first SIGINT/SIGTERM, in-flight jobs get this long to finish; then they are handed back. */
  shutdownGraceMs?: number;
}

/**
 * `polyglyph worker`: processes jobs until SIGINT/SIGTERM. The first signal stops taking new jobs and
 * lets in-flight ones finish (up to the grace period); then, or on a second signal, the worker closes
 * without waiting and the unfinished jobs return to the queue through BullMQ's stalled-job recovery.
 */
export async function runWorkerProcess(config: Config, logger: Logger, options: WorkerProcessOptions = {}): Promise<void> {
  const runtime = await openWorkerRuntime(config, logger);
  // Metrics and the health server (POLYGLYPH_HEALTH_PORT): the jobs report into the metrics, and the
  // server starts once the worker can take jobs.
  let observability: WorkerObservability;
  try {
    observability = createWorkerObservability(runtime, config, logger);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const worker = createImageWorker({ ...runtime, metrics: observability.metrics }, imageWorkerOptions(config));
  await worker.waitUntilReady();
  await observability.serve(worker).catch(async (error: unknown) => {
    await closeAll([() => worker.close(true), () => observability.close(), () => runtime.close()], logger);
    throw error;
  });
  logger.info({ queue: config.queueName, concurrency: config.concurrency, deployments: runtime.pool.members.map((m) => ({ name: m.spec.name, model: m.spec.model, imagesPerMinute: m.spec.imagesPerMinute })) }, 'worker started');

  const graceMs = options.shutdownGraceMs ?? 60_000;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: closing now; unfinished jobs will be recovered by another worker');
        void worker.close(true).finally(resolve);
        return;
      }
      stopping = true;
      logger.info({ signal, graceMs }, 'stopping: finishing in-flight jobs');
      const timer = setTimeout(() => {
        logger.warn('grace period over: closing now; unfinished jobs will be recovered by another worker');
        void worker.close(true).finally(resolve);
      }, graceMs);
      timer.unref();
      void worker.close().finally(() => {
        clearTimeout(timer);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await closeAll([() => worker.close(true), () => observability.close(), () => runtime.close()], logger);
  logger.info('worker stopped');
}
