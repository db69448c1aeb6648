/**
 * Settles like `work`, or rejects after `ms` with "<what> did not answer within <ms> ms". For probes
 * and scrapes, which must answer quickly even when a client would wait (the worker's Redis client
 * queues commands through an outage; the storage SDK retries its own calls). The timer does not
 * keep the process alive.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    // A late rejection of the abandoned work must not surface as an unhandled rejection.
    work.catch(() => undefined);
  }
}
