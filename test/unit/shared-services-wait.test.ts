import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sharedServicesFile, waitForSharedServices } from '../../src/local-services/shared-services.js';

// Two `polyglyph worker`s started together on one data folder: the second found the first's Azurite
// lock before the first had published where Azurite listens, and exited with "another polyglyph run
// is using the embedded Azurite's data". It now waits for a holder that announced it is starting.
describe('waitForSharedServices', () => {
  let dir: string;
  let holder: ChildProcess;
  let storage: Server;
  let blobEndpoint: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polyglyph-shared-'));
    holder = spawn('sleep', ['120'], { stdio: 'ignore' });
    storage = createServer((_request, response) => response.writeHead(400).end());
    storage.listen(0, '127.0.0.1');
    await once(storage, 'listening');
    blobEndpoint = `http://127.0.0.1:${(storage.address() as AddressInfo).port}/devstoreaccount1`;
  });
  afterEach(async () => {
    holder.kill('SIGKILL');
    storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  const announce = (content: object): Promise<void> => writeFile(sharedServicesFile(dir), JSON.stringify({ pid: holder.pid, ...content }));

  it('waits for a holder that is starting, and returns its storage once published', async () => {
    await announce({ starting: true });
    let settled = false;
    const waiting = waitForSharedServices(dir, holder.pid!, 30_000, 20).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    await announce({ storage: { blobEndpoint, connectionString: 'UseDevelopmentStorage=true' } });
    const shared = await waiting;
    expect(shared?.pid).toBe(holder.pid);
    expect(shared?.storage?.blobEndpoint).toBe(blobEndpoint);
  });

  it('does not wait for a holder that announced nothing (a run holding the folder without sharing)', async () => {
    await expect(waitForSharedServices(dir, holder.pid!, 30_000, 20)).resolves.toBeUndefined();
  });

  it('stops waiting when the holder dies before publishing', async () => {
    await announce({ starting: true });
    const waiting = waitForSharedServices(dir, holder.pid!, 30_000, 20);
    holder.kill('SIGKILL');
    await expect(waiting).resolves.toBeUndefined();
  });
});
