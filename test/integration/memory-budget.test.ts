// The memory budget bounds the images a worker holds at once, whatever its concurrency: with room for
// one 1024x1024 image, a worker at concurrency 4 has one request in flight at a time, and still
// finishes every item once.
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { imageMemoryBytes } from '../../src/images/memory-budget.js';
import { createMockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker, imageWorkerOptions } from '../../jobs/image-worker.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { closeWorker, expectEveryItemOnceAndPaidOnce, expectedItems, inFlight, waitForSettledRun, writeManifest } from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig } from '../helpers/pipeline.js';
import { startServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.stop();
});

describe('memory budget', () => {
  it('room for one image: concurrency 4 keeps one request in flight at a time; every item stored once', async () => {
    const api = createMockImageApi({ latencyMs: 300 });
    await api.listen();
    const container = uniqueContainerName('memory-budget');
    const oneImageMb = Math.ceil(imageMemoryBytes({ size: '1024x1024' }) / (1024 * 1024));
    const config = testConfig(
      { redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container },
      { POLYGLYPH_CONCURRENCY: '4', POLYGLYPH_MEMORY_BUDGET_MB: String(oneImageMb) },
    );
    const runtime = await openWorkerRuntime(config, silentLogger);
    let worker: ReturnType<typeof createImageWorker> | undefined;
    let polling = true;
    try {
      const rows = ['id,message,locales,size', ...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => `${id},Message ${id},ja,1024x1024`)];
      const manifestPath = await writeManifest(rows.join('\n'), 'budget');
      const { runId } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath,
        defaults: manifestDefaults(config),
        model: config.deployment,
        attempts: config.attempts,
        backoffMs: config.backoffMs,
      });
      const items = await expectedItems(runtime.queue);
      worker = createImageWorker(runtime, imageWorkerOptions(config));
      let maxInFlight = 0;
      const watching = (async () => {
        while (polling) {
          maxInFlight = Math.max(maxInFlight, inFlight(api.stats()));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const run = await waitForSettledRun(config.redisUrl, config.queuePrefix, config.queueName, runId, 90_000);
      polling = false;
      await watching;
      await expectEveryItemOnceAndPaidOnce({
        run,
        items,
        rows: await readRows(runtime.runStore, runId),
        blobs: BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container),
        stats: api.stats(),
        images: 6,
      });
      expect(maxInFlight, 'requests in flight at once').toBe(1);
    } finally {
      polling = false;
      await closeWorker(worker);
      await runtime.close();
      await api.close();
    }
  }, 120_000);
});
