// Fault injection: blob storage (Azurite) goes away mid-run while images are being generated, and
// comes back. The images generated during the outage were paid for: the worker must keep them (staged
// in Redis) and retry only their upload, never generating them again; nothing may be lost.
import { BlobServiceClient } from '@azure/storage-blob';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { startAzurite, type AzuriteProcess } from '../helpers/azurite.js';
import { createMockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker, imageWorkerOptions } from '../../jobs/image-worker.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import {
  FAULT_MANIFEST,
  FAULT_MANIFEST_IMAGES,
  FAULT_MANIFEST_ITEMS,
  closeWorker,
  expectEveryItemOnceAndPaidOnce,
  expectedItems,
  inFlight,
  waitForSettledRun,
  writeManifest,
} from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig, waitUntil } from '../helpers/pipeline.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';

/** Longest the outage lasts while waiting for a job to fail at the job level (see below). */
const MAX_OUTAGE_MS = 30_000;

let redis: TestRedis;
/** Azurite keeps its data here across the stop and the new start, so the outage loses nothing. */
let azuriteDir: string;
let azurite: AzuriteProcess | undefined;

beforeAll(async () => {
  azuriteDir = await mkdtemp(join(tmpdir(), 'pg-faults-azurite-'));
  const [startedRedis, startedAzurite] = await Promise.allSettled([startRedisServer(), startAzurite({ location: azuriteDir })]);
  if (startedRedis.status === 'fulfilled') redis = startedRedis.value;
  if (startedAzurite.status === 'fulfilled') azurite = startedAzurite.value;
  if (startedRedis.status === 'rejected') throw startedRedis.reason;
  if (startedAzurite.status === 'rejected') throw startedAzurite.reason;
});
afterAll(async () => {
  await Promise.allSettled([redis?.stop(), azurite?.stop()]);
  if (azuriteDir) await rm(azuriteDir, { recursive: true, force: true });
});

describe('fault injection: blob storage goes away', () => {
  it('Azurite stopped while images are generated, then started again: those images are uploaded, not generated again', async () => {
    const storage = azurite!;
    const { port, connectionString } = storage;
    // 1.5 s per generation: the outage can begin while requests are in flight, after their items
    // checked storage (found nothing) and before the images come back.
    const api = createMockImageApi({ latencyMs: 1_500 });
    await api.listen();
    const container = uniqueContainerName('faults-storage');
    const config = testConfig(
      { redisUrl: redis.url, apiUrl: api.url, storage: connectionString, container },
      { POLYGLYPH_BACKOFF_MS: '200', POLYGLYPH_ATTEMPTS: '5', POLYGLYPH_REQUEST_TIMEOUT_MS: '30000', POLYGLYPH_CONCURRENCY: '4' },
    );
    const runtime = await openWorkerRuntime(config, silentLogger);
    let worker: ReturnType<typeof createImageWorker> | undefined;
    try {
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

      worker = createImageWorker(runtime, imageWorkerOptions(config));
      await waitUntil(() => inFlight(api.stats()) >= 3, 'three generations in flight');
      await storage.stop(); // clean stop: Azurite saves its metadata; the directory is ours and stays
      azurite = undefined;
      const downAt = Date.now();

      // Stay down until a job whose images were delivered has failed at the job level (its upload gave
      // up after the storage SDK's own retries, about 16 s with its defaults): only then is the
      // "retry the upload, not the generation" path exercised. A shorter outage is ridden out inside
      // the SDK and would prove nothing.
      const generatedThenFailed = async (): Promise<string[]> => {
        const paid = api.stats().generationsByPrompt;
        const pending = await runtime.queue.getJobs(['delayed', 'wait', 'prioritized', 'active']);
        return pending.filter((job) => job.attemptsMade >= 1 && (paid[job.data.request.prompt] ?? 0) > 0).map((job) => String(job.id));
      };
      await waitUntil(async () => (await generatedThenFailed()).length > 0, 'a job whose images were generated failed because storage is down', MAX_OUTAGE_MS).catch((error: unknown) => {
        throw new Error(`${String(error)}: the storage client's own retries outlasted a ${MAX_OUTAGE_MS} ms outage, so the test cannot reach the job-level retry; raise MAX_OUTAGE_MS`);
      });
      const failedAfterGenerating = await generatedThenFailed();
      const upAt = Date.now();
      azurite = await startAzurite({ location: azuriteDir, port });

      const run = await waitForSettledRun(config.redisUrl, config.queuePrefix, config.queueName, runId);
      const rows = await readRows(runtime.runStore, runId);
      const stats = api.stats();
      const generatedDuringOutage = stats.requestLog.filter((entry) => entry.status === 200 && entry.at >= downAt && entry.at <= upAt);
      expect(generatedDuringOutage.length, 'generations answered while storage was down').toBeGreaterThanOrEqual(1);
      const blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
      await expectEveryItemOnceAndPaidOnce({ run, items, rows, blobs, stats, images: FAULT_MANIFEST_IMAGES });
      expect(stats.requests, 'one generation request per item').toBe(FAULT_MANIFEST_ITEMS);
      // The items that failed after paying ended as images stored on a later attempt (rows say
      // 'exists', attempts 0, only if an upload reached storage just as it stopped).
      const retried = items.filter((item) => failedAfterGenerating.includes(item.jobId));
      for (const item of retried) {
        const itemRows = rows.filter((r) => r.id === item.messageId && r.locale === item.locale);
        expect(
          itemRows.every((r) => r.status === 'exists' || r.attempts >= 2),
          `rows of ${item.messageId}/${item.locale}: ${JSON.stringify(itemRows)}`,
        ).toBe(true);
      }
    } finally {
      await closeWorker(worker);
      await runtime.close();
      await api.close();
    }
  }, 120_000);
});
