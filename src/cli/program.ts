import { Command, Help } from 'commander';
import { COMMAND_SUMMARIES, type CommandName } from './command-summaries.js';
import { packageVersion } from './version.js';
import { NO_WORKER_HOST, type WorkerHost } from './worker-host.js';

/**
 * Every command, loaded on demand: `polyglyph validate` loads the manifest checks, not BullMQ, the
 * Azure SDK or the dashboard's Express. The order is the order of `--help`.
 */
const COMMANDS: Record<CommandName, (host: WorkerHost) => Promise<Command[]>> = {
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
 * `'summaries'`: every command as its name and description only, from command-summaries.ts, loading
 * no command's code (what `main` does for `polyglyph --help`, a bare `polyglyph` or an unknown
 * command); otherwise every command in full (for tests that read the commands and their options).
 * `host` gives `run`, `worker` and `retry` their workers (see worker-host.ts).
 */
export async function createProgram(host: WorkerHost = NO_WORKER_HOST, only?: CommandName | 'summaries'): Promise<Command> {
  const program = new Command('polyglyph')
    .description('Localize images at scale: CSV manifests x locales -> gpt-image-2 -> Azure Blob Storage')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  if (only === 'summaries') return withSummaries(program);
  const names = only !== undefined ? [only] : (Object.keys(COMMANDS) as CommandName[]);
  const loaded = await Promise.all(names.map((name) => COMMANDS[name](host)));
  for (const command of loaded.flat()) program.addCommand(command.exitOverride());
  return program;
}

/** `program` with a stand-in per command that help lists as the real one is listed; none can run. */
function withSummaries(program: Command): Command {
  for (const [name, summary] of Object.entries(COMMAND_SUMMARIES)) program.addCommand(new Command(name).description(summary.description).exitOverride());
  return program.configureHelp({
    subcommandTerm: (command) => {
      const summary = (COMMAND_SUMMARIES as Record<string, { usage: string }>)[command.name()];
      return summary ? `${command.name()}${summary.usage ? ` ${summary.usage}` : ''}` : new Help().subcommandTerm(command);
    },
  });
}

/**
 * The command `argv` names, if it names one (`polyglyph help <name>` names it too): `main` then
 * loads only that one. Otherwise `main` builds the program from the summaries alone.
 */
export function commandNamed(argv: string[]): CommandName | undefined {
  const name = argv[2] === 'help' ? argv[3] : argv[2];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? (name as CommandName) : undefined;
}
