import { EXIT, takeExitCode } from './exit.js';
import { exitQuietlyWhenReaderGoes } from './closed-pipe.js';
import { packageVersion } from './version.js';
import type { WorkerHost } from './worker-host.js';

/**
 * Runs the CLI and returns the exit code. Expected failures (bad input, configuration, unreachable
 * services) are printed as a message and a hint, without a stack trace. Only the command named is
 * loaded (program.ts), `--help` loads none (the list comes from command-summaries.ts), and
 * `--version` loads nothing at all: start-up is what `npm run
 * bench:startup` measures.
 */
export async function main(argv: string[], host: WorkerHost): Promise<number> {
  exitQuietlyWhenReaderGoes();
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const { commandNamed, createProgram } = await import('./program.js');
  try {
    await (await createProgram(host, commandNamed(argv) ?? 'summaries')).parseAsync(argv);
    return takeExitCode();
  } catch (error) {
    return reportFailure(error);
  }
}

async function reportFailure(error: unknown): Promise<number> {
  const { CommanderError } = await import('commander');
  if (error instanceof CommanderError) {
    // --help and bad usage end through here, --help with code 0; nothing else is loaded for them.
    return error.exitCode === 0 ? 0 : EXIT.badInput;
  }
  const [{ PolyglyphError }, { scrubText }, { ManifestInvalidError }, { printSummary }, { terminalText }] = await Promise.all([
    import('../errors/polyglyph-error.js'),
    import('../logging/redaction.js'),
    import('../queue/enqueue-manifest.js'),
    import('./print-issues.js'),
    import('../text/terminal-text.js'),
  ]);
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

/** Errors from src/local-services carry their own friendly message. */
function isFriendly(error: unknown): boolean {
  return error instanceof Error && ['RedisUnreachableError', 'AzuriteNotInstalledError'].includes(error.name);
}
