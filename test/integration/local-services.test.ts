import { BlobServiceClient } from '@azure/storage-blob';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-services/free-port.js';
import { assertRedisReachable, redactRedisUrl, RedisUnreachableError } from '../../src/local-services/redis-probe.js';
import { awaitReachable } from '../../src/redis/connection.js';
import { startBlackHole } from '../helpers/black-hole.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import { AZURITE_BOOT_TIMEOUT_MS, AZURITE_TEST_TIMEOUT_MS, AzuriteNotInstalledError, startAzurite, uniqueContainerName, type AzuriteProcess } from '../helpers/azurite.js';
import { builtFile } from '../helpers/cli-build.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/unique.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Resolves when nothing listens on the port any more: we can bind it ourselves. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls a condition a bounded number of times; for processes that exit asynchronously. */
async function eventually(check: () => boolean | Promise<boolean>, attempts = 200, intervalMs = 50): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

describe('embedded Azurite', () => {
  let azurite: AzuriteProcess;

  // These tests boot Azurite themselves (restart, kill, a given port): AZURITE_TEST_TIMEOUT_MS says why that is long.
  beforeAll(async () => {
    azurite = await startAzurite();
  }, AZURITE_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await azurite?.stop();
  });

  it('serves the blob API: create a container, upload and download a blob', async () => {
    expect(azurite.blobEndpoint).toBe(`http://127.0.0.1:${azurite.port}/devstoreaccount1`);
    expect(azurite.connectionString).toContain(`BlobEndpoint=${azurite.blobEndpoint};`);
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(uniqueContainerName('azurite'));
    await container.create();
    const blob = container.getBlockBlobClient('ja/hello.txt');
    await blob.upload('こんにちは', Buffer.byteLength('こんにちは'), { metadata: { locale: 'ja' } });

    expect((await blob.downloadToBuffer()).toString()).toBe('こんにちは');
    expect((await blob.getProperties()).metadata).toEqual({ locale: 'ja' });
  });

  it(
    'keeps containers and blobs across restart(), on the same endpoint',
    async () => {
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(uniqueContainerName('restart'));
      await container.create();
      await container.getBlockBlobClient('kept.txt').upload('still here', 10);
      const pidBefore = azurite.pid;

      await azurite.restart();

      expect(azurite.pid).not.toBe(pidBefore);
      expect((await container.getBlockBlobClient('kept.txt').downloadToBuffer()).toString()).toBe('still here');
    },
    AZURITE_TEST_TIMEOUT_MS,
  );

  it(
    'stop() frees the port, removes its temporary directory, and can be called twice',
    async () => {
      const own = await startAzurite();
      expect(existsSync(own.location)).toBe(true);
      await Promise.all([own.stop(), own.stop()]);
      await own.stop();
      expect(await canListen(own.port)).toBe(true);
      expect(existsSync(own.location)).toBe(false);
      await expect(own.restart()).rejects.toThrow(/was stopped/);
    },
    AZURITE_TEST_TIMEOUT_MS,
  );

  it(
    'kill() is a crash: the service is gone, and restart() brings it back',
    async () => {
      const own = await startAzurite();
      try {
        const pid = own.pid;
        await own.kill();
        expect(pid !== undefined && isAlive(pid)).toBe(false);
        expect(own.pid).toBeUndefined();
        await own.restart();
        const service = BlobServiceClient.fromConnectionString(own.connectionString);
        await expect(service.getProperties()).resolves.toBeDefined();
      } finally {
        await own.stop();
      }
    },
    AZURITE_TEST_TIMEOUT_MS,
  );

  it(
    'keeps the data directory it was given, and uses the port it was given',
    async () => {
      const parent = await mkdtemp(join(tmpdir(), 'polyglyph-azurite-given-'));
      const location = join(parent, 'given');
      const port = await freePort();
      const own = await startAzurite({ location, port });
      try {
        expect(own.port).toBe(port);
        expect(own.location).toBe(location);
      } finally {
        await own.stop();
      }
      expect(existsSync(join(location, '__blobstorage__'))).toBe(true);
      await rm(parent, { recursive: true, force: true });
    },
    AZURITE_TEST_TIMEOUT_MS,
  );

  it(
    'does not outlive a parent that is SIGKILLed',
    async () => {
      // A parent process that starts Azurite, prints its pid, then waits to be killed.
      const script = `
      const { startAzurite } = await import(${JSON.stringify(builtFile('src/local-services/azurite.ts'))});
      const azurite = await startAzurite({ readyTimeoutMs: ${AZURITE_BOOT_TIMEOUT_MS} });
      console.log(JSON.stringify({ pid: azurite.pid, location: azurite.location }));
      setInterval(() => {}, 1000);
    `;
      const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        parent.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
        });
        parent.on('exit', (code) => reject(new Error(`parent exited early (${code})`)));
      });
      const { pid, location } = JSON.parse(line) as { pid: number; location: string };
      expect(isAlive(pid)).toBe(true);

      parent.kill('SIGKILL');

      expect(await eventually(() => !isAlive(pid))).toBe(true);
      await rm(location, { recursive: true, force: true }); // its owner died before it could clean up
    },
    AZURITE_TEST_TIMEOUT_MS,
  );

  it('says how to fix it when azurite-blob is not installed', async () => {
    const missing = join(ROOT, 'node_modules', '.bin', 'no-such-azurite-blob');
    const error = await startAzurite({ binPath: missing }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AzuriteNotInstalledError);
    expect((error as Error).name).toBe('AzuriteNotInstalledError');
    expect((error as Error).message).toBe(`Azurite is not installed (${missing} missing): with no storage configured, Polyglyph starts Azurite for local runs.`);
    // The exact command, with the version polyglyph is tested with: what an installed CLI's user runs.
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.azurite;
    expect((error as { hint?: string }).hint).toBe(
      `install it beside polyglyph: \`npm install azurite@${version}\` (a clone: \`npm ci\`), or set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL`,
    );
  });
});

describe('test redis-server', () => {
  let redis: TestRedis;
  let client: Redis | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('runs with noeviction on its own port', async () => {
    expect(redis.port).not.toBe(6379);
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  });

  it('keeps acknowledged writes through a clean restart and through a SIGKILL (AOF, fsync always)', async () => {
    const key = `${uniquePrefix('aof')}:key`;
    const writer = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    writer.on('error', () => {});
    try {
      await writer.set(key, 'before restart');
      await redis.restart();
      const afterRestart = new Redis(redis.url);
      expect(await afterRestart.get(key)).toBe('before restart');

      await afterRestart.set(key, 'before kill');
      afterRestart.disconnect();
      await redis.kill();
      await expect(assertRedisReachable(redis.url, 1_000)).rejects.toBeInstanceOf(RedisUnreachableError);

      await redis.restart();
      const afterKill = new Redis(redis.url);
      expect(await afterKill.get(key)).toBe('before kill');
      afterKill.disconnect();
    } finally {
      writer.disconnect();
    }
  });

  it('stop() frees the port and removes the data directory', async () => {
    const own = await startRedisServer({ appendonly: false });
    await assertRedisReachable(own.url);
    await own.stop();
    await own.stop();
    expect(await canListen(own.port)).toBe(true);
    expect(existsSync(own.dir)).toBe(false);
  });
});

describe('assertRedisReachable', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startRedisServer({ appendonly: false });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('resolves when Redis answers', async () => {
    await expect(assertRedisReachable(redis.url)).resolves.toBeUndefined();
  });

  it('rejects with a message that says where, why and what to do, without the password', async () => {
    const port = await freePort();
    const error = await assertRedisReachable(`redis://:hunter2@127.0.0.1:${port}/0`).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect((error as Error).name).toBe('RedisUnreachableError');
    const message = (error as Error).message;
    expect(message).toContain(`Cannot reach Redis at redis://:***@127.0.0.1:${port}/0 (`);
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain('Start one (e.g. `redis-server` or `docker compose up -d redis`) or set REDIS_URL.');
    expect(message).not.toContain('hunter2');
  });

  // `worker` runs for hours: a Redis that is there but slow to answer (a starved host) is waited for,
  // said within 2 s; a refused connection still fails at once.
  it('awaitReachable waits for a Redis that answers late, and says so', async () => {
    const slow = await startTcpRelay(redis.port, 2_500);
    try {
      const slowNotes: RedisUnreachableError[] = [];
      await expect(assertRedisReachable(`redis://127.0.0.1:${slow.port}`)).rejects.toMatchObject({ noAnswer: true });
      await awaitReachable(`redis://127.0.0.1:${slow.port}`, undefined, { onSlow: (error) => slowNotes.push(error) });
      expect(slowNotes).toHaveLength(1);
      expect(slowNotes[0]!.message).toContain('no answer within 1500 ms');
    } finally {
      await slow.close();
    }
  });

  it('awaitReachable fails at once when the connection is refused, and after its patience when nothing answers', async () => {
    const refused = `redis://127.0.0.1:${await freePort()}`;
    const slowNotes: unknown[] = [];
    const error = await awaitReachable(refused, undefined, { onSlow: (note) => slowNotes.push(note) }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ noAnswer: false });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(slowNotes).toEqual([]);

    const hole = await startBlackHole();
    try {
      const silent = await awaitReachable(`redis://127.0.0.1:${hole.port}`, undefined, { patienceMs: 500, onSlow: (note) => slowNotes.push(note) }).catch((caught: unknown) => caught);
      expect(silent).toBeInstanceOf(RedisUnreachableError);
      expect((silent as Error).message).toContain('no answer within 500 ms');
      expect(slowNotes).toHaveLength(1);
    } finally {
      await hole.close();
    }
  });

  it('redacts passwords in user info and query, and leaves other URLs as typed', () => {
    expect(redactRedisUrl('redis://default:s3cr3t@cache.example.net:6380')).toBe('redis://default:***@cache.example.net:6380');
    expect(redactRedisUrl('rediss://:s3cr3t@cache.example.net:6380/1')).toBe('rediss://:***@cache.example.net:6380/1');
    expect(redactRedisUrl('redis://cache.example.net:6379/?password=s3cr3t&db=2')).toBe('redis://cache.example.net:6379/?password=***&db=2');
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactRedisUrl('not a url //user:s3cr3t@host')).toBe('not a url //user:***@host');
  });
});
