import { BlobServiceClient } from '@azure/storage-blob';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { cancelRun } from '../../src/runs/cancel-run.js';
import { retryFailed } from '../../src/runs/retry-run.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { spawnWorker, type WorkerChild } from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let dir: string;

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 30 });
  await api.listen();
  dir = await mkdtemp(join(tmpdir(), 'pg-runs-'));
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
});

async function manifest(name: string, rows: string[]): Promise<string> {
  const path = join(dir, `${name}.csv`);
  await writeFile(path, ['id,message,locales,variants', ...rows].join('\n'));
  return path;
}

async function setup(): Promise<{ config: Config; runtime: WorkerRuntime }> {
  const config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('runs') });
  return { config, runtime: await openWorkerRuntime(config, silentLogger) };
}

const enqueue = (runtime: WorkerRuntime, config: Config, path: string) =>
  enqueueManifest(runtime, { runId: newRunId(), manifestPath: path, defaults: manifestDefaults(config), model: 'gpt-image-2', attempts: 3, backoffMs: 10, origin: 'test' });

describe('runs you can follow', () => {
  it('counts stay exact with three worker processes, and the report lands in storage', async () => {
    const { config, runtime } = await setup();
    const path = await manifest(
      'multi',
      Array.from({ length: 30 }, (_, i) => `m${i},Offer number ${i},ja;ko,${(i % 3) + 1}`),
    );
    const env = {
      REDIS_URL: config.redisUrl,
      POLYGLYPH_QUEUE_PREFIX: config.queuePrefix,
      AZURE_OPENAI_ENDPOINT: api.url,
      AZURE_OPENAI_API_KEY: 'k',
      AZURE_STORAGE_CONNECTION_STRING: services.azurite.connectionString,
      POLYGLYPH_CONTAINER: config.container,
      POLYGLYPH_IMAGES_PER_MINUTE: '6000',
      POLYGLYPH_CONCURRENCY: '3',
      POLYGLYPH_LOG_LEVEL: 'warn',
      // Counting is the point here; reading back 120 images would only slow it (text-check.test.ts does that).
      POLYGLYPH_TEXT_CHECK: 'off',
    };
    const workers: WorkerChild[] = [spawnWorker(env), spawnWorker(env), spawnWorker(env)];
    try {
      const { runId } = await enqueue(runtime, config, path);
      const run = await waitForRun(runtime.runStore, runId, 90_000);
      const images = 2 * Array.from({ length: 30 }, (_, i) => (i % 3) + 1).reduce((a, b) => a + b, 0); // 120
      expect(run).toMatchObject({ total: 60, settled: 60, imagesPlanned: images, imagesCreated: images, imagesExisting: 0, itemsFailed: 0 });
      expect(run.locales).toEqual({
        ja: { planned: images / 2, images: images / 2, itemsFailed: 0, created: images / 2, existing: 0, imagesFailed: 0, imagesCancelled: 0 },
        ko: { planned: images / 2, images: images / 2, itemsFailed: 0, created: images / 2, existing: 0, imagesFailed: 0, imagesCancelled: 0 },
      });
      expect(await readRows(runtime.runStore, runId)).toHaveLength(images);
      expect(run.tokens.output).toBeGreaterThan(0);

      const container = BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(config.container);
      // Written by the one process whose settle finished the run (run-store.test.ts: the claim is exclusive).
      // The contact sheets (60 thumbnails per locale) are drawn first: on two busy cores that takes a while.
      await waitUntil(async () => (await runtime.runStore.get(runId))?.reportBlob === `reports/${runId}.json`, 'the report written to storage', 60_000);
      const reports: string[] = [];
      for await (const blob of container.listBlobsFlat({ prefix: 'reports/' })) reports.push(blob.name);
      // The report and the contact sheets of its two locales (pipeline.test.ts looks inside them).
      expect(reports.sort()).toEqual([`reports/${runId}.csv`, `reports/${runId}.json`, `reports/${runId}/ja.png`, `reports/${runId}/ko.png`]);
      const json = JSON.parse((await container.getBlobClient(`reports/${runId}.json`).downloadToBuffer()).toString('utf8')) as { rows: unknown[]; counts: Record<string, number> };
      expect(json.rows).toHaveLength(images);
      expect(json.counts).toMatchObject({ imagesCreated: images, itemsFailed: 0 });
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await runtime.close();
    }
  }, 240_000);

  it('retry re-enqueues only the failed item, from the fixed manifest, under the same run', async () => {
    const { config, runtime } = await setup();
    const worker = createImageWorker(runtime, { concurrency: 4, prefix: config.queuePrefix });
    try {
      const broken = await manifest('retry', ['a,Hello there,ja,1', 'b,Something [blocked] here,ko;hi,1', 'c,Good morning,bn,2']);
      api.resetStats();
      const { runId } = await enqueue(runtime, config, broken);
      const first = await waitForRun(runtime.runStore, runId);
      expect(first).toMatchObject({ total: 4, imagesCreated: 3, itemsFailed: 2 });
      expect(first.locales.ko).toMatchObject({ planned: 1, images: 1, itemsFailed: 1 });

      const fixed = await manifest('retry-fixed', ['a,Hello there,ja,1', 'b,Something nice here,ko;hi,1', 'c,Good morning,bn,2']);
      api.resetStats();
      const result = await retryFailed(runtime, { runId, manifestPath: fixed, defaults: manifestDefaults(config), model: 'gpt-image-2', attempts: 3, backoffMs: 10 });
      expect(result).toEqual({ retried: 2, notInManifest: 0, finished: false });
      const second = await waitForRun(runtime.runStore, runId);
      expect(second).toMatchObject({ total: 4, settled: 4, imagesCreated: 5, itemsFailed: 0 });
      expect(second.locales.ko).toMatchObject({ planned: 1, images: 1, itemsFailed: 0 });
      // only the two retried items reached the API
      expect(api.stats().requests).toBe(2);
      const rows = await readRows(runtime.runStore, runId);
      expect(rows.filter((row) => row.status === 'failed')).toEqual([]);
      expect(rows.map((row) => `${row.id}/${row.locale}/${row.variant}`).sort()).toEqual(['a/ja/1', 'b/hi/1', 'b/ko/1', 'c/bn/1', 'c/bn/2']);
    } finally {
      await worker.close();
      await runtime.close();
    }
  });

  it('cancel settles pending items as cancelled and removes their jobs; nothing is generated', async () => {
    const { config, runtime } = await setup();
    try {
      const path = await manifest(
        'cancel',
        Array.from({ length: 8 }, (_, i) => `m${i},Cancelled offer ${i},ja,1`),
      );
      const { runId } = await enqueue(runtime, config, path);
      expect(await runtime.queue.count()).toBe(8);
      const result = await cancelRun(runtime, runId, Date.now());
      expect(result).toEqual({ cancelled: 8, leftRunning: 0 });
      expect(await runtime.queue.count()).toBe(0);
      const run = await runtime.runStore.get(runId);
      expect(run).toMatchObject({ settled: 8, itemsCancelled: 8, finishedAt: expect.any(Number) as number, cancelledAt: expect.any(Number) as number });
      expect((await readRows(runtime.runStore, runId)).every((row) => row.status === 'cancelled')).toBe(true);
      // A worker that starts now finds nothing of the cancelled run to do: it generates only a new run's item.
      api.resetStats();
      const worker = createImageWorker(runtime, { concurrency: 2, prefix: config.queuePrefix });
      try {
        const after = await enqueue(runtime, config, await manifest('after-cancel', ['later,A later offer,ko,1']));
        expect(await waitForRun(runtime.runStore, after.runId)).toMatchObject({ total: 1, imagesCreated: 1 });
        expect(api.stats().requests).toBe(1);
      } finally {
        await worker.close();
      }
    } finally {
      await runtime.close();
    }
  });
});
