import { open, readFile, rm } from 'node:fs/promises';
import type { ServiceUnavailableError } from '../errors/polyglyph-error.js';

export interface DirLock {
  /** Removes the lock file; safe to call twice. */
  release(): Promise<void>;
}

/**
 * An exclusive claim on a data folder for this process: `<dir>.lock` holding our pid, created with
 * O_EXCL so exactly one process wins. A lock whose process is gone (killed, crashed) is stale and
 * taken over. `inUse` says what to tell the user when a live process holds it.
 */
export async function lockDir(dir: string, inUse: (pid: number) => ServiceUnavailableError): Promise<DirLock> {
  const path = `${dir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      let released: Promise<void> | undefined;
      return { release: () => (released ??= rm(path, { force: true })) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw inUse(pid);
    // Stale: its process is gone. Remove it and try again (another process may win the retry).
    await rm(path, { force: true });
  }
  throw inUse(0);
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
