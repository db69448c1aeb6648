import { main } from '../src/cli/main.js';
import { formatInternalError } from '../src/cli/internal-error.js';
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

/**
 * The last resort for an error main() did not turn into a message and an exit code (a bug): one
 * redacted line on stderr (the stack with POLYGLYPH_DEBUG=1), exit code 70 (EX_SOFTWARE).
 */
export function reportInternalError(error: unknown, stderr: Pick<NodeJS.WriteStream, 'write'> = process.stderr, env: NodeJS.ProcessEnv = process.env): number {
  try {
    stderr.write(formatInternalError(error, env));
  } catch {
    // Even the printer failed: say so without quoting anything that could hold a credential.
    stderr.write('polyglyph: internal error (a bug, please report it)\n');
  }
  return 70;
}
