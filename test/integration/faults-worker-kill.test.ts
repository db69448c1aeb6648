// Fault injection: a worker process killed with SIGKILL while it has image requests in flight. Two
// `polyglyph worker` processes share the queue; one dies mid-run; the survivor must recover its jobs
// (stalled-job check, POLYGLYPH_STALLED_INTERVAL_MS) and finish the run without losing an image or
// paying for one twice. A generation whose client died before the answer was written is never
// delivered, so the stand-in does not count it as paid (status 499 in its stats).
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { createMockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import {
  LARGER_MANIFEST,
  LARGER_MANIFEST_IMAGES,
  LARGER_MANIFEST_ITEMS,
  expectEveryItemOnceAndPaidOnce,
  expectedItems,
  inFlight,
  spawnWorker,
  waitForSettledRun,
  writeManifest,
  type WorkerChild,
} from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig, waitUntil } from '../helpers/pipeline.js';
import { startServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.stop();
});

describe('fault injection: a worker process dies', () => {
  it('SIGKILL of one of two workers mid-run: the other recovers its jobs; every item ends once, paid once', async () => {
    // ~1 s per generation keeps both workers' requests in flight most of the time.
    const api = createMockImageApi({ latencyMs: 1_000 });
    await api.listen();
    const container = uniqueContainerName('faults-kill');
    const env = {
      POLYGLYPH_BACKOFF_MS: '200',
      POLYGLYPH_ATTEMPTS: '5',
      POLYGLYPH_IMAGES_PER_MINUTE: '6000',
      POLYGLYPH_CONCURRENCY: '2',
      POLYGLYPH_STALLED_INTERVAL_MS: '2000',
      POLYGLYPH_REQUEST_TIMEOUT_MS: '30000',
    };
    const config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container }, env);
    const runtime = await openWorkerRuntime(config, silentLogger); // producer side only: no worker in this process
    const events = new QueueEvents(config.queueName, { connection: { host: '127.0.0.1', port: services.redis.port }, prefix: config.queuePrefix });
    const stalled = new Set<string>();
    events.on('stalled', ({ jobId }) => stalled.add(jobId));
    const workers: WorkerChild[] = [];
    try {
      await events.waitUntilReady();
      const manifestPath = await writeManifest(LARGER_MANIFEST);
      const { runId, jobs } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath,
        defaults: manifestDefaults(config),
        model: config.deployment,
        attempts: config.attempts,
        backoffMs: config.backoffMs,
      });
      expect(jobs).toBe(LARGER_MANIFEST_ITEMS);
      const items = await expectedItems(runtime.queue);
      expect(items).toHaveLength(LARGER_MANIFEST_ITEMS);

      const workerEnv = {
        ...env,
        REDIS_URL: config.redisUrl,
        POLYGLYPH_QUEUE_PREFIX: config.queuePrefix,
        AZURE_OPENAI_ENDPOINT: api.url,
        AZURE_OPENAI_API_KEY: 'test-key',
        AZURE_STORAGE_CONNECTION_STRING: services.azurite.connectionString,
        POLYGLYPH_CONTAINER: container,
        POLYGLYPH_LOG_LEVEL: 'warn',
      };
      const victim = spawnWorker(workerEnv);
      workers.push(victim);
      const survivor = spawnWorker(workerEnv);
      workers.push(survivor);

      // Some images exist and at least 3 of the 4 possible requests are in flight: with 2 per worker,
      // the victim has at least one generation running when it dies.
      await waitUntil(async () => ((await runtime.runStore.get(runId))?.settled ?? 0) >= 2 && inFlight(api.stats()) >= 3, 'two items settled with three requests in flight', 40_000).catch(
        (error: unknown) => {
          throw new Error(`${String(error)}\nvictim output:\n${victim.output()}\nsurvivor output:\n${survivor.output()}`);
        },
      );
      // Each request in flight may have been answered just before the kill: paid, never staged.
      const inFlightAtKill = inFlight(api.stats());
      await victim.kill();

      const run = await waitForSettledRun(config.redisUrl, config.queuePrefix, config.queueName, runId, 45_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\nsurvivor output:\n${survivor.output()}`);
      });
      const stats = api.stats();
      const rows = await readRows(runtime.runStore, runId);
      await expectEveryItemOnceAndPaidOnce({
        run,
        items,
        rows,
        blobs: BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container),
        stats,
        images: LARGER_MANIFEST_IMAGES,
        paidTwiceAllowance: inFlightAtKill,
      });

      // The kill really cut generations short and their jobs really went through stalled recovery.
      expect(stats.byStatus['499'] ?? 0, `answers never delivered (client gone): ${JSON.stringify(stats.byStatus)}`).toBeGreaterThanOrEqual(1);
      expect(stalled.size, 'jobs recovered from the killed worker').toBeGreaterThanOrEqual(1);
      expect(survivor.exited(), `the survivor kept running:\n${survivor.output()}`).toBe(false);
    } finally {
      for (const worker of workers) await worker.kill();
      await events.close().catch(() => {});
      await runtime.close();
      await api.close();
    }
  }, 120_000);
});
