import type { LevelWithSilent, Logger } from 'pino';
import type { Config } from '../config/settings.js';
import { createLogger, type LogFormat } from '../logging/create-logger.js';

/** `auto`: readable text for a person at a terminal, JSON lines for a pipe, a file or a log collector. */
export function resolveLogFormat(setting: Config['logFormat'] | undefined, stderrIsTTY: boolean): LogFormat {
  if (setting === 'json' || setting === 'text') return setting;
  return stderrIsTTY ? 'text' : 'json';
}

export interface CliLoggerOptions {
  /** Values to censor besides those of the settings marked secret, which come from `config`. */
  secrets?: ReadonlyArray<string | undefined>;
  /** Events the command prints itself (see createLogger's `omitEvents`). */
  omitEvents?: readonly string[];
  /** Whether stderr is a terminal; default `process.stderr.isTTY` (a seam for tests). */
  stderrIsTTY?: boolean;
}

/**
 * A command's logger on stderr, at `--log-level` (else `defaultLevel`), in `--log-format`, censoring
 * the values of every setting the table marks secret that `config` holds.
 */
export function cliLogger(config: Partial<Config>, defaultLevel: LevelWithSilent, options: CliLoggerOptions = {}): Logger {
  const terminal = options.stderrIsTTY ?? process.stderr.isTTY === true;
  return createLogger(
    config.logLevel ?? defaultLevel,
    {},
    {
      config,
      secrets: options.secrets,
      format: resolveLogFormat(config.logFormat, terminal),
      omitEvents: options.omitEvents,
      terminal,
    },
  );
}
