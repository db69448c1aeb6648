import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { redactionOptions } from './redaction.js';

export interface LoggerDestinationOptions {
  /** Where lines go. Default stderr. */
  destination?: DestinationStream | undefined;
  /** Values known to be secret (the configured API key, connection string): censored wherever they appear. */
  secrets?: ReadonlyArray<string | undefined> | undefined;
}

/** JSON lines on stderr (stdout stays for command output), secrets redacted (see redaction.ts). */
export function createLogger(level: LevelWithSilent, bindings: Record<string, unknown> = {}, options: LoggerDestinationOptions = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings }, ...redactionOptions(options.secrets) }, options.destination ?? pino.destination(2));
}
