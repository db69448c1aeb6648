// Fault injection on the image API: 500s, 503s, hangs, malformed bodies and 429 storms. Each test runs
// a small manifest through a real (in-process) worker against the stand-in API, a private Redis and
// Azurite, and checks that every item ends, no image is lost and no prompt is paid for twice.
import { BlobServiceClient } from '@azure/storage-blob';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { createMockImageApi, type MockImageApi, type MockImageApiOptions } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker, imageWorkerOptions } from '../../jobs/image-worker.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import {
  FAULT_MANIFEST,
  FAULT_MANIFEST_IMAGES,
  FAULT_MANIFEST_ITEMS,
  attemptsByItem,
  closeWorker,
  expectEveryItemOnceAndPaidOnce,
  expectedItems,
  waitForSettledRun,
  writeManifest,
} from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig } from '../helpers/pipeline.js';
import { startServices, type TestServices } from '../helpers/services.js';
import { seededRandom } from '../../src/mock-api/seeded-random.js';

let services: TestServices;
beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.stop();
});

/** Short retries so a test finishes in seconds; a breaker threshold above any fault count injected here. */
const FAST_RETRIES = { POLYGLYPH_BACKOFF_MS: '200', POLYGLYPH_ATTEMPTS: '5', POLYGLYPH_BREAKER_FAILURES: '50', POLYGLYPH_BREAKER_COOLDOWN_MS: '500' };

interface Harness {
  api: MockImageApi;
  config: Config;
  runtime: WorkerRuntime;
  /** Enqueues FAULT_MANIFEST (no worker is running yet) and returns the run and what its jobs asked for. */
  enqueue(): Promise<{ runId: string; items: Awaited<ReturnType<typeof expectedItems>> }>;
  startWorker(concurrency?: number): Worker;
  finish(runId: string, items: Awaited<ReturnType<typeof expectedItems>>): Promise<Awaited<ReturnType<typeof readRows>>>;
  close(): Promise<void>;
}

async function harness(apiOptions: MockImageApiOptions, env: Record<string, string>): Promise<Harness> {
  const api = createMockImageApi(apiOptions);
  await api.listen();
  const container = uniqueContainerName('faults-api');
  const config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container }, { ...FAST_RETRIES, ...env });
  let runtime: WorkerRuntime;
  try {
    runtime = await openWorkerRuntime(config, silentLogger);
  } catch (error) {
    await api.close();
    throw error;
  }
  const workers: Worker[] = [];
  const blobs = BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container);
  return {
    api,
    config,
    runtime,
    async enqueue() {
      const manifestPath = await writeManifest(FAULT_MANIFEST);
      const { runId, jobs } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath,
        defaults: manifestDefaults(config),
        model: config.deployment,
        attempts: config.attempts,
        backoffMs: config.backoffMs,
      });
      expect(jobs).toBe(FAULT_MANIFEST_ITEMS);
      const items = await expectedItems(runtime.queue);
      expect(items).toHaveLength(FAULT_MANIFEST_ITEMS);
      return { runId, items };
    },
    startWorker(concurrency = 4) {
      const worker = createImageWorker(runtime, { ...imageWorkerOptions(config), concurrency });
      workers.push(worker);
      return worker;
    },
    async finish(runId, items) {
      const run = await waitForSettledRun(config.redisUrl, config.queuePrefix, config.queueName, runId);
      const rows = await readRows(runtime.runStore, runId);
      await expectEveryItemOnceAndPaidOnce({ run, items, rows, blobs, stats: api.stats(), images: FAULT_MANIFEST_IMAGES });
      return rows;
    },
    async close() {
      for (const worker of workers) await closeWorker(worker);
      await runtime.close();
      await api.close();
    },
  };
}

describe('fault injection: the image API', () => {
  it('retries 500s, 503s, hangs and malformed bodies; every item ends once, paid once', async () => {
    // POLYGLYPH_ATTEMPTS=8 > the 7 faults injected: no item can run out of attempts, so any failed
    // item means a fault was not retried. An 8 s request timeout turns the hangs into retries; shorter,
    // an ordinary answer on a loaded machine times out too and is (rightly) asked again.
    const h = await harness({ latencyMs: 20 }, { POLYGLYPH_REQUEST_TIMEOUT_MS: '8000', POLYGLYPH_ATTEMPTS: '8' });
    try {
      const faults = ['server-error', 'hang', 'malformed', 'unavailable', 'server-error', 'hang', 'malformed'] as const;
      const { runId, items } = await h.enqueue();
      h.api.injectFaults([...faults]);
      h.startWorker();
      const rows = await h.finish(runId, items);

      const stats = h.api.stats();
      // Each fault cost exactly one more request and one more attempt; nothing else was retried.
      expect(stats.requests).toBe(FAULT_MANIFEST_ITEMS + faults.length);
      expect(stats.byStatus).toMatchObject({ '500': 2, '503': 1 });
      const extraAttempts = [...attemptsByItem(rows).values()].reduce((sum, attempts) => sum + attempts - 1, 0);
      expect(extraAttempts, `attempts per item: ${JSON.stringify([...attemptsByItem(rows)])}`).toBe(faults.length);
    } finally {
      await h.close();
    }
  });

  it('rides out random 500s, hangs and malformed bodies (configured fault rates); every item ends once, paid once', async () => {
    const h = await harness({ latencyMs: 20, random: seededRandom(20_260_501) }, { POLYGLYPH_REQUEST_TIMEOUT_MS: '5000', POLYGLYPH_ATTEMPTS: '8' });
    try {
      const { runId, items } = await h.enqueue();
      // One draw per request picks its fault, in arrival order, so the seed fixes the pattern: the first
      // 30 requests meet 8 faults (4 malformed bodies, 2 hangs, 2 500s), the first of them on request 3.
      h.api.configure({ faultRates: { 'server-error': 0.1, hang: 0.05, malformed: 0.1 } });
      h.startWorker();
      const rows = await h.finish(runId, items);

      const stats = h.api.stats();
      const extraAttempts = [...attemptsByItem(rows).values()].reduce((sum, attempts) => sum + attempts - 1, 0);
      // Every request beyond one per item met a fault and cost exactly one attempt.
      expect(stats.requests - FAULT_MANIFEST_ITEMS).toBe(extraAttempts);
      expect(extraAttempts, 'the seeded fault rates produced faults').toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });

  it("a 429 storm from the deployment's quota (workers configured 4x too high) completes every item without using attempts", async () => {
    // The stand-in's quota is 120 images/min; the workers believe it is 480, so they keep hitting 429s.
    const h = await harness({ latencyMs: 20, imagesPerMinute: 120 }, { POLYGLYPH_IMAGES_PER_MINUTE: '480' });
    try {
      const { runId, items } = await h.enqueue();
      h.startWorker();
      const rows = await h.finish(runId, items);

      const stats = h.api.stats();
      expect(stats.rateLimited, 'the storm happened').toBeGreaterThan(0);
      expect(stats.requests).toBe(FAULT_MANIFEST_ITEMS + stats.rateLimited);
      expect(
        rows.map((r) => r.attempts),
        '429s use no attempt',
      ).toEqual(rows.map(() => 1));
    } finally {
      await h.close();
    }
  });

  it('injected 429s (retry-after-ms 1000) pause the queue and use no attempts; every item ends once, paid once', async () => {
    const h = await harness({ latencyMs: 20 }, {});
    try {
      const { runId, items } = await h.enqueue();
      h.api.injectFaults(Array.from({ length: 10 }, () => 'rate-limit' as const));
      h.startWorker();
      const rows = await h.finish(runId, items);

      const stats = h.api.stats();
      expect(stats.rateLimited).toBe(10);
      expect(stats.requests).toBe(FAULT_MANIFEST_ITEMS + 10);
      expect(
        rows.map((r) => r.attempts),
        '429s use no attempt',
      ).toEqual(rows.map(() => 1));
    } finally {
      await h.close();
    }
  });
});
