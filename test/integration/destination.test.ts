// Two runs of one manifest on one queue prefix, the second to another (new, empty) container, within
// the done markers' ten minutes: the second must create its images there, not take the first run's
// outcome as "already stored". A re-run to the same container still finds its images and pays for
// nothing, a retry from a shell whose storage differs keeps the run's own job ids, and an embedded Azurite
// back on another port is the same destination.
import { Writable } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageWorker } from '../../jobs/image-worker.js';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { enqueueRun, producerFor } from '../../src/cli/start-run.js';
import type { Config } from '../../src/config/settings.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { rerenderItem } from '../../src/runs/rerender-item.js';
import { retryFailed } from '../../src/runs/retry-run.js';
import type { RunStore } from '../../src/runs/run-store.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { runCli } from '../helpers/cli.js';
import { readRows, silentLogger, testConfig, waitForRun } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import { uniquePrefix } from '../helpers/unique.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let dir: string;

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 30 });
  await api.listen();
  dir = await mkdtemp(join(tmpdir(), 'pg-destination-'));
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const quiet = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });

async function manifest(name: string, rows: string[]): Promise<string> {
  const path = join(dir, `${name}.csv`);
  await writeFile(path, ['id,message,locales,variants', ...rows].join('\n'));
  return path;
}

interface Shell {
  config: Config;
  runtime: WorkerRuntime;
}

/** A shell whose storage is `container`, on the queue `prefix` (its worker, when started, stores there). */
async function shell(container: string, prefix: string): Promise<Shell> {
  const config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container }, { POLYGLYPH_QUEUE_PREFIX: prefix });
  return { config, runtime: await openWorkerRuntime(config, silentLogger) };
}

/** As `polyglyph enqueue` (and scan, the scheduler) start a run. */
const start = (at: Shell, path: string) => enqueueRun(at.runtime, at.config, producerFor(at.config, quiet()), path, 'test', quiet());

const worker = (at: Shell): Worker => createImageWorker(at.runtime, { concurrency: 4, prefix: at.config.queuePrefix });

const blobExists = (container: string, name: string): Promise<boolean> =>
  BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container).getBlockBlobClient(name).exists();

/** The image blobs of a container (not its reports or sidecars). */
async function images(container: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container).listBlobsFlat()) {
    if (/-v\d+\.(png|jpeg|webp)$/.test(blob.name)) names.push(blob.name);
  }
  return names;
}

async function itemIds(store: RunStore, runId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of store.items(runId)) ids.push(id);
  return ids;
}

describe('runs to different containers on one queue prefix', () => {
  it('the second run, to a new empty container, creates its images there; a re-run to that container pays for nothing', async () => {
    const prefix = uniquePrefix('dest');
    const first = await shell(uniqueContainerName('dest-a'), prefix);
    const second = await shell(uniqueContainerName('dest-b'), prefix);
    const path = await manifest('two-containers', ['a,Hello there,ja;ko,2', 'b,Good morning,bn,1']);
    try {
      api.resetStats();
      const workerA = worker(first);
      const a = await start(first, path);
      expect(await waitForRun(first.runtime.runStore, a.runId)).toMatchObject({ total: 3, imagesCreated: 5, imagesExisting: 0, itemsFailed: 0 });
      await workerA.close();
      expect(api.stats().requests).toBe(3);

      // Seconds later, same manifest and prefix, another container: the first run's done markers are still there.
      const workerB = worker(second);
      try {
        const b = await start(second, path);
        expect(b.finished).toBe(false);
        const run = await waitForRun(second.runtime.runStore, b.runId);
        expect(run).toMatchObject({ total: 3, imagesCreated: 5, imagesExisting: 0, itemsFailed: 0, destination: second.runtime.blobStore.destination });
        expect(run.destination).not.toBe(first.runtime.blobStore.destination);
        expect(api.stats().requests).toBe(6);
        const rows = await readRows(second.runtime.runStore, b.runId);
        expect(rows.map((row) => row.status)).toEqual(Array(5).fill('created'));
        for (const row of rows) expect(await blobExists(second.config.container, row.blobName), row.blobName).toBe(true);

        // Again to the same container: every item takes the outcome it just had, nothing is added or paid for.
        const again = await start(second, path);
        expect(again.finished).toBe(true);
        expect(await second.runtime.runStore.get(again.runId)).toMatchObject({ total: 3, settled: 3, imagesCreated: 0, imagesExisting: 5, itemsFailed: 0 });
        expect(api.stats().requests).toBe(6);
      } finally {
        await workerB.close();
      }
    } finally {
      await first.runtime.close();
      await second.runtime.close();
    }
  });

  it('retry and re-render from a shell with other storage settings use the run’s own destination', async () => {
    const prefix = uniquePrefix('dest');
    const own = await shell(uniqueContainerName('dest-own'), prefix);
    const other = await shell(uniqueContainerName('dest-other'), prefix);
    const workerOwn = worker(own);
    try {
      const broken = await manifest('retry-broken', ['a,Hello there,ja,1', 'b,Something [blocked] here,ko;hi,1']);
      const { runId } = await start(own, broken);
      expect(await waitForRun(own.runtime.runStore, runId)).toMatchObject({ total: 3, imagesCreated: 1, itemsFailed: 2 });

      const fixed = await manifest('retry-fixed', ['a,Hello there,ja,1', 'b,Something nice here,ko;hi,1']);
      const result = await retryFailed(other.runtime, { runId, manifestPath: fixed, defaults: manifestDefaults(other.config), model: 'gpt-image-2', attempts: 3, backoffMs: 10 });
      expect(result).toEqual({ retried: 2, notInManifest: 0, finished: false });
      expect(await waitForRun(own.runtime.runStore, runId)).toMatchObject({ total: 3, settled: 3, imagesCreated: 3, itemsFailed: 0 });
      // The review gallery's re-render and a check worker's regeneration take the same path.
      expect(
        await rerenderItem(other.runtime, { runId, manifestPath: fixed, defaults: manifestDefaults(other.config), model: 'gpt-image-2', messageId: 'a', locale: 'ja', attempts: 3, backoffMs: 10 }),
      ).toEqual({ variant: 2 });
      expect(await waitForRun(own.runtime.runStore, runId)).toMatchObject({ total: 3, settled: 3, imagesCreated: 4, itemsFailed: 0 });
      // The first ids, the two retried items' (their prompt changed) and the re-rendered item's (one variant more).
      const ids = await itemIds(own.runtime.runStore, runId);
      expect(ids).toHaveLength(6);
      for (const id of ids) expect(id).toMatch(new RegExp(`\\.d${own.runtime.blobStore.destination}$`));
    } finally {
      await workerOwn.close();
      await own.runtime.close();
      await other.runtime.close();
    }
  });

  it('a run left queued, then run again with the storage back on another local port (a new embedded Azurite), shares the queued items: nothing paid twice', async () => {
    const prefix = uniquePrefix('dest');
    const container = uniqueContainerName('dest-port');
    const before = await shell(container, prefix);
    const relay = await startTcpRelay(services.azurite.port);
    const moved = services.azurite.connectionString.replace(`:${services.azurite.port}/`, `:${relay.port}/`);
    const after = { config: testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: moved, container }, { POLYGLYPH_QUEUE_PREFIX: prefix }) } as Shell;
    try {
      after.runtime = await openWorkerRuntime(after.config, silentLogger);
      expect(after.runtime.blobStore.displayUrl).not.toBe(before.runtime.blobStore.displayUrl);
      const path = await manifest('left-queued', ['a,Hello there,ja;ko,1', 'b,Good morning,bn;hi,1', 'c,Thank you,zh-Hans,2']);
      api.resetStats();
      // Interrupted: enqueued, no worker.
      const left = await start(before, path);
      const workerAfter = worker(after);
      try {
        const again = await start(after, path);
        const [first, second] = [await waitForRun(before.runtime.runStore, left.runId), await waitForRun(after.runtime.runStore, again.runId)];
        expect(first).toMatchObject({ total: 5, imagesCreated: 6, itemsFailed: 0 });
        expect(second).toMatchObject({ total: 5, imagesCreated: 6, itemsFailed: 0 });
        expect(api.stats().requests).toBe(5);
        expect((await itemIds(after.runtime.runStore, again.runId)).sort()).toEqual((await itemIds(before.runtime.runStore, left.runId)).sort());
      } finally {
        await workerAfter.close();
      }
    } finally {
      await after.runtime?.close();
      await before.runtime.close();
      await relay.close();
    }
  });

  it('polyglyph run: the same manifest to a second container creates its images; to the same one again, nothing', async () => {
    const prefix = uniquePrefix('dest-cli');
    const env = (container: string): Record<string, string> => ({
      REDIS_URL: services.redis.url,
      POLYGLYPH_QUEUE_PREFIX: prefix,
      AZURE_OPENAI_ENDPOINT: api.url,
      AZURE_OPENAI_API_KEY: 'test-key',
      AZURE_STORAGE_CONNECTION_STRING: services.azurite.connectionString,
      POLYGLYPH_CONTAINER: container,
      POLYGLYPH_IMAGES_PER_MINUTE: '6000',
      POLYGLYPH_TEXT_CHECK: 'off',
      POLYGLYPH_REPORT_DIR: join(dir, 'reports'),
      POLYGLYPH_LOCAL_DIR: join(dir, 'local'),
    });
    const path = await manifest('cli-two-containers', ['a,Hello there,ja;ko,1', 'b,Good morning,bn,2']);
    const [containerA, containerB] = [uniqueContainerName('dest-cli-a'), uniqueContainerName('dest-cli-b')];
    api.resetStats();
    const first = await runCli(['run', path], env(containerA), 120_000);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/4 images created, 0 already stored, 0 items failed/);
    const second = await runCli(['run', path], env(containerB), 120_000);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/4 images created, 0 already stored, 0 items failed/);
    expect(api.stats().requests).toBe(6);
    expect(await images(containerB)).toHaveLength(4);
    const third = await runCli(['run', path], env(containerB), 120_000);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/0 images created, 4 already stored, 0 items failed/);
    expect(api.stats().requests).toBe(6);
  }, 300_000);
});
