import { Command, CommanderError } from 'commander';
import { PolyglyphError } from '../errors/polyglyph-error.js';
import { scrubText } from '../logging/redaction.js';
import { ManifestInvalidError } from '../queue/enqueue-manifest.js';
import { cancelCommand } from './commands/cancel.js';
import { dashboardCommand } from './commands/dashboard.js';
import { enqueueCommand } from './commands/enqueue.js';
import { mockApiCommand } from './commands/mock-api.js';
import { reportCommand } from './commands/report.js';
import { retryCommand } from './commands/retry.js';
import { runCommand } from './commands/run.js';
import { scanCommand } from './commands/scan.js';
import { scheduleCommand, schedulerCommand } from './commands/schedule.js';
import { statusCommand } from './commands/status.js';
import { translateCommand } from './commands/translate.js';
import { validateCommand } from './commands/validate.js';
import { workerCommand } from './commands/worker.js';
import { EXIT, takeExitCode } from './exit.js';
import { printSummary } from './print-issues.js';
import { packageVersion } from './version.js';
import { exitQuietlyWhenReaderGoes } from './closed-pipe.js';
import { NO_WORKER_HOST, type WorkerHost } from './worker-host.js';
import { terminalText } from '../text/terminal-text.js';

/** `host` gives `run` and `worker` their workers (see worker-host.ts); without it they refuse to start. */
export function createProgram(host: WorkerHost = NO_WORKER_HOST): Command {
  const program = new Command('polyglyph')
    .description('Localize images at scale: CSV manifests x locales -> gpt-image-2 -> Azure Blob Storage')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of [runCommand(host), enqueueCommand(), workerCommand(host), validateCommand(), translateCommand(), statusCommand(), reportCommand(), retryCommand(host), cancelCommand(), scanCommand(), scheduleCommand(), schedulerCommand(), dashboardCommand(), mockApiCommand()]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

/**
 * Runs the CLI and returns the exit code. Expected failures (bad input, configuration, unreachable
 * services) are printed as a message and a hint, without a stack trace.
 */
export async function main(argv: string[], host: WorkerHost): Promise<number> {
  exitQuietlyWhenReaderGoes();
  try {
    await createProgram(host).parseAsync(argv);
    return takeExitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with code 0.
      return error.exitCode === 0 ? 0 : EXIT.badInput;
    }
    if (error instanceof ManifestInvalidError) printSummary(error.summary, process.stderr, process.stderr);
    if (error instanceof PolyglyphError || isFriendly(error)) {
      // Scrubbed: a message can quote a URL with its SAS, or a connection string; and made
      // terminal-safe: it can quote a manifest value, a blob name or an argument.
      process.stderr.write(`polyglyph: ${terminalText(scrubText((error as Error).message))}\n`);
      const hint = (error as { hint?: string }).hint;
      if (hint) process.stderr.write(`  how to fix: ${terminalText(scrubText(hint))}\n`);
      return (error as { exitCode?: number }).exitCode ?? EXIT.badInput;
    }
    throw error;
  }
}

/** Errors from src/local-services carry their own friendly message. */
function isFriendly(error: unknown): boolean {
  return error instanceof Error && ['RedisUnreachableError', 'AzuriteNotInstalledError'].includes(error.name);
}
