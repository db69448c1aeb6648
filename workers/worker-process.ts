import type { Logger } from 'pino';
import type { Config } from '../src/config/settings.js';
import { listenForStop } from '../src/cli/stop-signal.js';
import type { WorkerProcessOptions } from '../src/cli/worker-host.js';
import { closeAll, openWorkerRuntime } from '../src/runtime/runtime.js';
import { startImageWorkers } from '../jobs/image-worker.js';

/**
 * `polyglyph worker`: processes jobs until SIGINT/SIGTERM. The first signal stops taking new jobs and
 * lets in-flight ones finish (up to the grace period); then, or on a second signal, the worker closes
 * without waiting and the unfinished jobs return to the queue through BullMQ's stalled-job recovery.
 */
export async function runWorkerProcess(config: Config, logger: Logger, options: WorkerProcessOptions = {}): Promise<void> {
  // Listening from the start: a signal during start-up (storage that never answers) ends the wait.
  const stop = listenForStop();
  const onSecondSignal = (signal: NodeJS.Signals): void => {
    logger.warn({ signal }, 'second signal: closing now; unfinished jobs will be recovered by another worker');
    void forceClose?.();
  };
  let forceClose: (() => Promise<void>) | undefined;
  try {
    const runtime = await openWorkerRuntime(config, logger, { stop: stop.signal });
    const started = await startImageWorkers(runtime, config, logger).catch(async (error: unknown) => {
      await runtime.close();
      throw error;
    });
    logger.info(
      { queue: config.queueName, concurrency: config.concurrency, deployments: runtime.pool.members.map((m) => ({ name: m.spec.name, model: m.spec.model, imagesPerMinute: m.spec.imagesPerMinute })) },
      'worker started',
    );

    const graceMs = options.shutdownGraceMs ?? 60_000;
    await new Promise<void>((resolve) => {
      forceClose = () => started.closeNow().finally(resolve);
      const onSignal = (): void => {
        process.once('SIGINT', onSecondSignal);
        process.once('SIGTERM', onSecondSignal);
        logger.info({ signal: String(stop.signal.reason), graceMs }, 'stopping: finishing in-flight jobs');
        const timer = setTimeout(() => {
          logger.warn('grace period over: closing now; unfinished jobs will be recovered by another worker');
          void started.closeNow().finally(resolve);
        }, graceMs);
        timer.unref();
        void started.worker.close().finally(() => {
          clearTimeout(timer);
          resolve();
        });
      };
      if (stop.signal.aborted) onSignal();
      else stop.signal.addEventListener('abort', onSignal, { once: true });
    });
    await closeAll([() => started.closeNow(), () => runtime.close()], logger);
    logger.info('worker stopped');
  } finally {
    stop.dispose();
    process.off('SIGINT', onSecondSignal);
    process.off('SIGTERM', onSecondSignal);
  }
}
