import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceUnavailableError } from '../errors/polyglyph-error.js';

/** ioredis's errors while the server is away: refused, reset, closed, or out of retries. */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return error.name === 'MaxRetriesPerRequestError' || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) || /Connection is closed|Stream isn't writeable|LOADING/.test(error.message);
}

export interface RideOutOptions {
  /** Called on each failed attempt while Redis is away, with how long it has been away. */
  onWaiting?: (downForMs: number) => void;
  /** Give up (ServiceUnavailableError) once Redis has been away this long. Default 2 min. */
  giveUpAfterMs?: number;
  /** Pause between attempts. Default 500 ms. */
  pauseMs?: number;
  now?: () => number;
}

/**
 * Runs a Redis read again while the server is away, as a worker's connection does: a restart or a
 * failover (seconds) is ridden out; an outage longer than `giveUpAfterMs` ends in one clear error.
 * Used by the commands that wait on a run (`enqueue --wait`, `retry --wait`, `status --watch`); any
 * other error is rethrown at once.
 */
export async function rideOutRedisOutage<T>(operation: () => Promise<T>, options: RideOutOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const giveUpAfterMs = options.giveUpAfterMs ?? 120_000;
  let awaySince: number | undefined;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isRedisConnectionError(error)) throw error;
      awaySince ??= now();
      const downForMs = now() - awaySince;
      if (downForMs >= giveUpAfterMs) {
        throw new ServiceUnavailableError(`Redis has not answered for ${Math.round(downForMs / 1000)} s (${(error as Error).message})`, {
          hint: 'the run itself is safe in Redis and its workers resume when it is back; follow it again with `polyglyph status <run> --watch`',
          cause: error,
        });
      }
      options.onWaiting?.(downForMs);
      await sleep(options.pauseMs ?? 500);
    }
  }
}
