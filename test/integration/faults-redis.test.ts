// Fault injection: the private redis-server (AOF on, appendfsync always; see helpers/redis-server.ts)
// restarts mid-run, cleanly and after a crash. The in-process worker must reconnect and finish; no job
// may be lost, no image lost, no prompt paid for twice.
import { BlobServiceClient } from '@azure/storage-blob';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { createMockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import type { RunRecord } from '../../src/runs/run-store.js';
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
import { startServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.stop();
});

/**
 * Runs FAULT_MANIFEST with one in-process worker, calls `outage` once some items have settled while
 * generations are in flight, and checks the outcome.
 */
async function runThroughOutage(outage: () => Promise<void>): Promise<void> {
  const api = createMockImageApi({ latencyMs: 500 });
  await api.listen();
  const container = uniqueContainerName('faults-redis');
  const config = testConfig(
    { redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container },
    // The stalled-job check matters here: a fetch (moveToActive) that Redis ran but whose reply the
    // restart cut off is sent again by ioredis and activates the next job with the same token, so
    // the first job sits in 'active' with a lock nobody renews until the stalled check recovers it
    // (lock + check interval: about 4 s here, up to a minute with the 30 s default).
    { POLYGLYPH_BACKOFF_MS: '200', POLYGLYPH_ATTEMPTS: '5', POLYGLYPH_REQUEST_TIMEOUT_MS: '30000', POLYGLYPH_STALLED_INTERVAL_MS: '2000', POLYGLYPH_CONCURRENCY: '4' },
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
    let before: RunRecord | undefined;
    await waitUntil(async () => {
      before = await runtime.runStore.get(runId);
      return (before?.settled ?? 0) >= 2 && inFlight(api.stats()) >= 1;
    }, 'two items settled with a generation in flight');
    expect(before!.settled, 'the outage starts mid-run').toBeLessThan(before!.total);
    await outage();

    const run = await waitForSettledRun(config.redisUrl, config.queuePrefix, config.queueName, runId);
    const rows = await readRows(runtime.runStore, runId);
    const blobs = BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container);
    await expectEveryItemOnceAndPaidOnce({ run, items, rows, blobs, stats: api.stats(), images: FAULT_MANIFEST_IMAGES });
    // Every job leaves the queue (removeOnComplete): none stays stuck in active, waiting or failed.
    // Polled: a job settles its item just before BullMQ completes (and removes) it.
    let counts: Record<string, number> = {};
    await waitUntil(
      async () => {
        counts = await runtime.queue.getJobCounts('active', 'wait', 'delayed', 'prioritized', 'failed');
        return Object.values(counts).every((count) => count === 0);
      },
      'every job gone from the queue',
      15_000,
    ).catch(async (error: unknown) => {
      const left = await runtime.queue.getJobs(['active', 'wait', 'delayed', 'prioritized', 'failed']);
      throw new Error(`${String(error)}: ${JSON.stringify(counts)} ${JSON.stringify(left.map((job) => ({ id: job.id, attemptsMade: job.attemptsMade, failedReason: job.failedReason })))}`);
    });
  } finally {
    await closeWorker(worker);
    await runtime.close();
    await api.close();
  }
}

describe('fault injection: Redis restarts', () => {
  it('a clean Redis restart mid-run: the worker reconnects and finishes; every item ends once, paid once', async () => {
    await runThroughOutage(() => services.redis.restart());
  }, 120_000);

  it('a Redis crash (SIGKILL) mid-run, back 2 s later from its AOF: every item ends once, paid once', async () => {
    await runThroughOutage(async () => {
      await services.redis.kill();
      await sleep(2_000);
      await services.redis.restart();
    });
  }, 120_000);
});
