/** Resolves on the first SIGINT or SIGTERM, then stops listening, so a long-running command can close and exit 0. */
export function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** A long-running command's stop signal: aborted on the first SIGINT or SIGTERM, with that signal's name as its reason. */
export interface StopListener {
  signal: AbortSignal;
  /** Stops listening; call when the command ends. */
  dispose(): void;
}

/**
 * Listens for the first SIGINT or SIGTERM from the very start of a command, so that whatever it is
 * waiting for (a storage endpoint that never answers, a pass over dropped manifests) can be abandoned
 * at once: a handler that only sets a flag nobody reads makes the process ignore signals.
 */
export function listenForStop(): StopListener {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    dispose();
    controller.abort(signal);
  };
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: controller.signal, dispose };
}
