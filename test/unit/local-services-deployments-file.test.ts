import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/cli/local-services.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { sharedServicesFile } from '../../src/local-services/shared-services.js';

// A `worker` given POLYGLYPH_DEPLOYMENTS_FILE (every deployment with its own endpoint) but no
// AZURE_OPENAI_ENDPOINT adopted the stand-in another process on the same data folder published, and
// the stand-in's deployments file replaced the user's: its jobs went to deployments nobody queued for
// and the run never moved (the Redis Cluster test's workers, beside another test's `run`).
describe('startLocalServices with a deployments file', () => {
  let dir: string;
  let holder: ChildProcess;
  let standIn: Server;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polyglyph-local-'));
    holder = spawn('sleep', ['120'], { stdio: 'ignore' });
    standIn = createServer((_request, response) => response.writeHead(404).end());
    standIn.listen(0, '127.0.0.1');
    await once(standIn, 'listening');
    const endpoint = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
    await writeFile(
      sharedServicesFile(dir),
      JSON.stringify({ pid: holder.pid, api: { endpoint, apiKey: 'stand-in-key', imagesPerMinute: 120, deploymentsFile: join(dir, 'stand-in-deployments.json') } }),
    );
  });
  afterEach(async () => {
    holder.kill('SIGKILL');
    standIn.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the user's deployments and adopts no stand-in", async () => {
    const deploymentsFile = join(dir, 'mine.json');
    const config = resolveConfig({ localDir: dir, deploymentsFile, storageConnectionString: 'UseDevelopmentStorage=true' }, {});
    const local = await startLocalServices(config, {}, {});
    try {
      expect(local.config.deploymentsFile).toBe(deploymentsFile);
      expect(local.config.endpoint).toBeUndefined();
      expect(local.notes).toEqual([]);
    } finally {
      await local.stop();
    }
  });

  it('adopts the published stand-in when nothing is configured', async () => {
    const config = resolveConfig({ localDir: dir, storageConnectionString: 'UseDevelopmentStorage=true' }, {});
    const local = await startLocalServices(config, {}, {});
    try {
      expect(local.config.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(local.config.deploymentsFile).toBe(join(dir, 'stand-in-deployments.json'));
    } finally {
      await local.stop();
    }
  });
});
