import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Paths whose values are secrets wherever they appear in a log line. */
const REDACT = ['apiKey', '*.apiKey', 'connectionString', '*.connectionString', 'headers["api-key"]', 'headers.authorization', '*.headers["api-key"]', '*.headers.authorization'];

/** JSON lines on stderr (stdout stays for command output), secrets redacted. */
export function createLogger(level: LevelWithSilent, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings }, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
}
