// Everything the bench starts is stopped on the way out, in reverse order, even when a step fails
// or the user presses Ctrl-C: a benchmark that leaves workers or Redis behind poisons the next run.
import { setTimeout as sleep } from 'node:timers/promises';

export class CleanupStack {
  private readonly steps: Array<{ label: string; run: () => Promise<void> }> = [];

  defer(label: string, run: () => Promise<void>): void {
    this.steps.push({ label, run });
  }

  /** Runs every step, newest first; a failing step is reported and the rest still run. */
  async runAll(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        console.error(`cleanup: ${step.label} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/**
 * The first SIGINT/SIGTERM aborts the signal (every wait in the bench listens to it, so the
 * `finally` blocks stop what was started); a second one exits at once, and the 'exit' hooks of
 * the child-process helpers kill what is left.
 */
export function abortOnSignals(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (controller.signal.aborted) process.exit(code);
    console.error(`\n${signal}: stopping the scenario and everything it started (again to exit at once)`);
    process.exitCode = code;
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

/** Polls `done` every `intervalMs` until it returns true (true), `deadline` passes (false) or `signal` aborts (throws). */
export async function pollUntil(done: () => Promise<boolean> | boolean, options: { deadline: number; intervalMs: number; signal: AbortSignal }): Promise<boolean> {
  for (;;) {
    options.signal.throwIfAborted();
    if (await done()) return true;
    if (Date.now() >= options.deadline) return false;
    await sleep(options.intervalMs, undefined, { signal: options.signal });
  }
}
