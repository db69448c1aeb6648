import { Command } from 'commander';
import { packageVersion } from './version.js';
import { NO_WORKER_HOST, type WorkerHost } from './worker-host.js';

/**
 * Every command, loaded on demand: `polyglyph validate` loads the manifest checks, not BullMQ, the
 * Azure SDK or the dashboard's Express. The order is the order of `--help`.
 */
const COMMANDS: Record<string, (host: WorkerHost) => Promise<Command[]>> = {
  run: async (host) => [(await import('./commands/run.js')).runCommand(host)],
  enqueue: async () => [(await import('./commands/enqueue.js')).enqueueCommand()],
  worker: async (host) => [(await import('./commands/worker.js')).workerCommand(host)],
  validate: async () => [(await import('./commands/validate.js')).validateCommand()],
  check: async () => [(await import('./commands/check.js')).checkCommand()],
  translate: async () => [(await import('./commands/translate.js')).translateCommand()],
  status: async () => [(await import('./commands/status.js')).statusCommand()],
  report: async () => [(await import('./commands/report.js')).reportCommand()],
  pull: async () => [(await import('./commands/pull.js')).pullCommand()],
  retry: async (host) => [(await import('./commands/retry.js')).retryCommand(host)],
  cancel: async () => [(await import('./commands/cancel.js')).cancelCommand()],
  scan: async () => [(await import('./commands/scan.js')).scanCommand()],
  schedule: async () => [(await import('./commands/schedule.js')).scheduleCommand()],
  scheduler: async () => [(await import('./commands/schedule.js')).schedulerCommand()],
  dashboard: async () => [(await import('./commands/dashboard.js')).dashboardCommand()],
  'mock-api': async () => [(await import('./commands/mock-api.js')).mockApiCommand()],
};

/**
 * The `polyglyph` program. `only`: build just that command (what `main` does for `polyglyph <name>`);
 * otherwise every command (for `--help`, and for tests that read the commands and their options).
 * `host` gives `run`, `worker` and `retry` their workers (see worker-host.ts).
 */
export async function createProgram(host: WorkerHost = NO_WORKER_HOST, only?: string): Promise<Command> {
  const program = new Command('polyglyph')
    .description('Localize images at scale: CSV manifests x locales -> gpt-image-2 -> Azure Blob Storage')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const names = only !== undefined && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  const loaded = await Promise.all(names.map((name) => COMMANDS[name]!(host)));
  for (const command of loaded.flat()) program.addCommand(command.exitOverride());
  return program;
}

/** The command `argv` names, if it names one: `main` then loads only that one. */
export function commandNamed(argv: string[]): string | undefined {
  const name = argv[2];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}
