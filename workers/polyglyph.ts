import { main } from '../src/cli/main.js';
import type { WorkerHost } from '../src/cli/worker-host.js';

/**
 * The `polyglyph` process: the CLI, given the in-process workers it may start. Modules load on use,
 * so `polyglyph --version` or `validate` never load the job processors or BullMQ's Worker.
 */
export const workerHost: WorkerHost = {
  startImageWorkers: async (runtime, config, logger) => (await import('../jobs/image-worker.js')).startImageWorkers(runtime, config, logger),
  runWorkerProcess: async (config, logger, options) => (await import('./worker-process.js')).runWorkerProcess(config, logger, options),
};

/** Runs the CLI and returns its exit code (bin/polyglyph.js and the tests' CLI entry call this). */
export function runPolyglyph(argv: string[]): Promise<number> {
  return main(argv, workerHost);
}
