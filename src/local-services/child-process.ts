// Lifecycle pieces shared by the local services we spawn (Azurite here, redis-server in the tests):
// remember the last lines a child wrote, wait until it answers, stop it politely then firmly, and
// never leave it running after we exit.
import type { ChildProcess } from 'node:child_process';

/** Keeps the last `maxLines` lines a child wrote, for error messages; older lines are dropped. */
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly maxLines = 40) {}

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') this.keep(line);
    // A child that never writes a newline must not grow this without bound.
    if (this.partial.length > 4_000) {
      this.keep(this.partial);
      this.partial = '';
    }
  }

  /** The kept lines joined with newlines ('' when the child wrote nothing). */
  text(): string {
    return [...this.lines, ...(this.partial.trim() === '' ? [] : [this.partial])].join('\n');
  }

  private keep(line: string): void {
    this.lines.push(line.length > 1_000 ? `${line.slice(0, 1_000)}...` : line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once the child has exited (at once if it already has). Never rejects. */
export function exited(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      child.off('exit', done);
      child.off('error', onError);
      resolve();
    };
    // A child that could not be spawned at all reports 'error' and may never report 'exit'.
    const onError = (): void => {
      if (child.pid === undefined) done();
    };
    child.on('exit', done);
    child.on('error', onError);
  });
}

/**
 * Sends SIGTERM, and SIGKILL if the child is still alive after `graceMs`; resolves when it has exited.
 * SIGTERM first because Azurite saves its metadata database and Redis flushes its AOF on it.
 */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return;
  const gone = exited(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const escalated = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      if (!hasExited(child)) child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([gone, escalated]);
  clearTimeout(timer);
  await gone;
}

/** SIGKILL, as a crash would; resolves when the child has exited. */
export async function killNow(child: ChildProcess): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return;
  const gone = exited(child);
  child.kill('SIGKILL');
  await gone;
}

export type ReadyOutcome = 'ready' | 'exited' | 'timeout';

/**
 * Polls `probe` until it returns true, the child exits, or `timeoutMs` passes, whichever is first.
 * A child that dies while starting is reported at once rather than after the whole timeout.
 */
export async function waitUntilReady(child: ChildProcess, probe: () => Promise<boolean>, options: { timeoutMs: number; intervalMs?: number }): Promise<ReadyOutcome> {
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + options.timeoutMs;
  let childGone = hasExited(child);
  void exited(child).then(() => (childGone = true));
  for (;;) {
    if (childGone) return 'exited';
    if (await probe().catch(() => false)) return 'ready';
    if (childGone) return 'exited';
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// One 'exit' listener for every child we own, rather than one per child (which would trip Node's
// MaxListenersExceededWarning in a test file that starts a dozen services).
const onParentExit = new Map<ChildProcess, () => void>();
let exitListenerInstalled = false;

/**
 * Runs `cleanup` (synchronously; nothing async runs during 'exit') if this process exits while the
 * child is alive. Returns a function that cancels it. The entry is dropped when the child exits.
 */
export function cleanupOnParentExit(child: ChildProcess, cleanup: () => void): () => void {
  if (!exitListenerInstalled) {
    exitListenerInstalled = true;
    process.on('exit', () => {
      for (const [owned, run] of onParentExit) {
        if (hasExited(owned)) continue;
        try {
          run();
        } catch {
          // The process is exiting; there is nobody left to tell.
        }
      }
    });
  }
  onParentExit.set(child, cleanup);
  const cancel = (): void => {
    onParentExit.delete(child);
  };
  child.once('exit', cancel);
  return cancel;
}

/**
 * Runs steps one at a time, in call order, whether earlier ones succeeded or failed: kill, restart
 * and stop of one child must never interleave and see a half-done state.
 */
export function oneAtATime(): <T>(step: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>): Promise<T> => {
    const next = last.then(step, step);
    last = next.catch(() => undefined);
    return next;
  };
}
