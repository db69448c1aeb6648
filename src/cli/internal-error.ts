import { describeError } from '../errors/describe-error.js';
import { scrubText } from '../logging/redaction.js';
import { terminalText, terminalValue } from '../text/terminal-text.js';

/**
 * Whether the last-resort printer adds the stack: POLYGLYPH_DEBUG set (to anything but 0/false), or
 * the logs already asked for debug detail (POLYGLYPH_LOG_LEVEL debug or trace).
 */
export function wantsStack(env: NodeJS.ProcessEnv): boolean {
  const debug = env.POLYGLYPH_DEBUG?.trim().toLowerCase();
  return (debug !== undefined && debug !== '' && debug !== '0' && debug !== 'false') || ['debug', 'trace'].includes(env.POLYGLYPH_LOG_LEVEL?.trim().toLowerCase() ?? '');
}

/**
 * What the CLI prints for an error nothing expected (a bug; exit 70): one line with any credential
 * the message quotes censored (a SAS in a URL, an account key), and the stack, scrubbed alike, only
 * when debugging was asked for. A raw `console.error(error)` would print the stack and an SDK error's
 * request (URL with its SAS, headers) to a terminal or a CI log.
 */
export function formatInternalError(error: unknown, env: NodeJS.ProcessEnv): string {
  const line = `polyglyph: internal error (a bug, please report it): ${terminalValue(describeError(error))}`;
  if (!wantsStack(env)) return `${line} (set POLYGLYPH_DEBUG=1 for the stack)\n`;
  const stack = error instanceof Error && error.stack ? error.stack.split('\n').slice(1).join('\n') : '';
  return `${line}\n${terminalText(scrubText(stack))}\n`;
}
