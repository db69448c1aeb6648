import type { Logger } from 'pino';
import type { Config } from '../config/settings.js';
import type { WorkerRuntime } from '../runtime/runtime.js';

/** Image workers running in this process; `close()` drains them and stops their health server. */
export interface InProcessWorkers {
  close(): Promise<void>;
}

export interface WorkerProcessOptions {
  /** After the first SIGINT/SIGTERM, in-flight jobs get this long to finish; then they are handed back. */
  shutdownGraceMs?: number;
}

/**
 * The one seam through which the CLI reaches the job processors (`jobs/`) and the worker process
 * (`workers/`). Those build on `src/`, so `src/` never imports them (a lint rule says so): the process
 * entry, `workers/polyglyph.ts`, hands an implementation to `main()`. Each member loads its modules
 * when called, so a command that starts no worker never loads them.
 */
export interface WorkerHost {
  /** Starts image workers over an open worker runtime (`run`, `retry --wait` with nothing else serving). */
  startImageWorkers(runtime: WorkerRuntime, config: Config, logger: Logger): Promise<InProcessWorkers>;
  /** `polyglyph worker`: processes jobs until SIGINT/SIGTERM. */
  runWorkerProcess(config: Config, logger: Logger, options: WorkerProcessOptions): Promise<void>;
}

/** For a program built without workers (tests that only read its commands and options). */
export const NO_WORKER_HOST: WorkerHost = {
  startImageWorkers: () => Promise.reject(new Error('this program was built without workers (createProgram(host))')),
  runWorkerProcess: () => Promise.reject(new Error('this program was built without workers (createProgram(host))')),
};
