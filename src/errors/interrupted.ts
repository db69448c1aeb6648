import { PolyglyphError } from './polyglyph-error.js';

/**
 * A long-running command stopped by SIGINT or SIGTERM while it was waiting for something (a storage
 * endpoint that never answers, say): the CLI prints one line and exits 130, as a shell does for ^C.
 */
export class InterruptedError extends PolyglyphError {
  override readonly exitCode = 130;
}

/**
 * `error` as it is, or, when `stop` has fired (the command's stop signal, its reason the signal's
 * name), an InterruptedError saying what was being waited for: the abort the signal caused is not
 * the failure to report.
 */
export function interruptedOr(error: unknown, stop: AbortSignal | undefined, waitingFor: string): unknown {
  if (!stop?.aborted) return error;
  const signal = typeof stop.reason === 'string' ? stop.reason : 'a signal';
  return new InterruptedError(`stopped by ${signal} while ${waitingFor}`, { cause: error });
}
