import { terminalValue } from '../text/terminal-text.js';

/** pino's numeric levels and the word a person reads. */
const LEVEL_WORDS: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/** Fields that are pino's own or only useful to a machine (ids a person cannot act on). */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err', 'error', 'messageId', 'locale', 'jobId', 'event', 'final', 'stack']);

/** Longest value shown for one field: a request body or a list stays a hint, not a page. */
const MAX_VALUE_CHARS = 120;

function shortValue(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_VALUE_CHARS ? `${oneLine.slice(0, MAX_VALUE_CHARS - 3)}...` : oneLine;
}

/** The first line of an error's message (a stack trace never reaches a person's terminal). */
function errorText(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return shortValue(err);
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && message !== '' ? message.split('\n')[0]!.trim() : undefined;
}

/**
 * One pino JSON line as one line a person reads:
 * `warning: image generation failed: item refused (ja), deployment gpt-image-2, attempt 1: 400 content_policy_violation: ...`.
 * The level word, the message, the item it is about, the other fields as `name value`, then the
 * error's message without its stack. Every value is made terminal-safe. A line that is not JSON is
 * returned as it was (pino writes none; a safety net).
 */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return terminalValue(line.trimEnd());
  }
  const level = LEVEL_WORDS[Number(record.level)] ?? 'log';
  const context: string[] = [];
  if (typeof record.messageId === 'string') context.push(`item ${record.messageId}${typeof record.locale === 'string' ? ` (${record.locale})` : ''}`);
  for (const [name, value] of Object.entries(record)) {
    if (HIDDEN.has(name)) continue;
    const shown = shortValue(value);
    if (shown !== undefined) context.push(`${name} ${shown}`);
  }
  const error = errorText(record.err ?? record.error);
  const message = typeof record.msg === 'string' && record.msg !== '' ? record.msg : (error ?? '');
  const text = `${level}: ${message}${context.length > 0 ? ` (${context.join(', ')})` : ''}${error !== undefined && error !== message ? `: ${error}` : ''}`;
  return terminalValue(text);
}
