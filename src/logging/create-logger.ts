import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { settingSecrets } from '../config/secret-settings.js';
import type { SettingsTable } from '../config/settings.js';
import { redactionOptions } from './redaction.js';
import { formatLogLine } from './text-log-line.js';

/** `json`: pino's JSON lines; `text`: one readable line each (text-log-line.ts). */
export type LogFormat = 'json' | 'text';

export interface LoggerDestinationOptions {
  /** Where lines go. Default stderr. */
  destination?: DestinationStream | undefined;
  /**
   * The resolved configuration: the values of every setting the table marks secret (API keys,
   * connection strings, dashboard token and password) are censored wherever they appear.
   */
  config?: Readonly<Record<string, unknown>> | undefined;
  /** The settings table whose `secret` marks apply (default: Polyglyph's SETTINGS). */
  table?: SettingsTable | undefined;
  /** Further values known to be secret. */
  secrets?: ReadonlyArray<string | undefined> | undefined;
  /** Default `json`. */
  format?: LogFormat | undefined;
  /**
   * `text` only: records whose `event` field is one of these are left out, because the command
   * prints them itself (`run` lists failed items, with their manifest line, when it ends).
   */
  omitEvents?: readonly string[] | undefined;
  /** `text` only: the destination is a terminal, where a progress line may be showing: clear it first. */
  terminal?: boolean | undefined;
}

/**
 * Logs on stderr (stdout stays for command output), secrets redacted (see redaction.ts): JSON lines,
 * or with `format: 'text'` the same records as one readable line each. Text goes through the same
 * redaction first: the formatter only ever sees censored JSON.
 */
export function createLogger(level: LevelWithSilent, bindings: Record<string, unknown> = {}, options: LoggerDestinationOptions = {}): Logger {
  const destination = options.destination ?? pino.destination(2);
  const format = options.format ?? 'json';
  const fromSettings = settingSecrets(options.config, options.table);
  const redaction = redactionOptions([...fromSettings.values, ...(options.secrets ?? [])], fromSettings.keys);
  return pino({ level, base: { pid: process.pid, ...bindings }, ...redaction }, format === 'json' ? destination : textDestination(destination, options));
}

/** A destination that writes each redacted JSON line as text, one line per record. */
function textDestination(destination: DestinationStream, options: LoggerDestinationOptions): DestinationStream {
  const omitted = new Set(options.omitEvents ?? []);
  const clear = options.terminal ? '\r\x1b[2K' : '';
  return {
    write(line: string): void {
      if (omitted.size > 0 && omittedEvent(line, omitted)) return;
      destination.write(`${clear}${formatLogLine(line)}\n`);
    },
  };
}

function omittedEvent(line: string, omitted: ReadonlySet<string>): boolean {
  try {
    const event = (JSON.parse(line) as { event?: unknown }).event;
    return typeof event === 'string' && omitted.has(event);
  } catch {
    return false;
  }
}
