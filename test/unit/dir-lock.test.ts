import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../src/errors/polyglyph-error.js';
import { lockDir } from '../../src/local-services/dir-lock.js';

const inUse = (pid: number): ServiceUnavailableError => new ServiceUnavailableError(`in use by ${pid}`);

describe('lockDir', () => {
  it('lets one holder at a time have a folder, and frees it on release', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'pg-lock-')), 'azurite');
    const lock = await lockDir(dir, inUse);
    expect(await readFile(`${dir}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    await expect(lockDir(dir, inUse)).rejects.toThrow(`in use by ${process.pid}`);
    await lock.release();
    await lock.release();
    const again = await lockDir(dir, inUse);
    await again.release();
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'pg-lock-')), 'azurite');
    // A pid that existed and has exited.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await writeFile(`${dir}.lock`, `${gone}\n`);
    const lock = await lockDir(dir, inUse);
    expect(await readFile(`${dir}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });
});
