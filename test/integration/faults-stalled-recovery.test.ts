// Fault injection: the workers holding one item keep dying (rolling restarts, kills). Each death sends
// the item back through BullMQ's stalled-job check; BullMQ used to fail it on the third
// ("job stalled more than allowable limit", an UnrecoverableError without a code: the soak's 4 of 1,200
// failed items). Now the item's own time bounds the recoveries (stall-recovery.ts), so it is stored
// once a worker lives long enough.
import { QueueEvents, type Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { createMockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker, imageWorkerOptions } from '../../jobs/image-worker.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { closeWorker, inFlight, waitForSettledRun, writeManifest } from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig, waitUntil } from '../helpers/pipeline.js';
import { startServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.stop();
});

/** BullMQ's old limit for image workers was 2 recoveries: the third failed the item. */
const DEATHS = 3;

describe('fault injection: the workers holding an item keep dying', () => {
  it(`an item whose worker dies ${DEATHS} times in a row is recovered every time and stored, not failed`, async () => {
    const api = createMockImageApi({ latencyMs: 20 });
    await api.listen();
    const container = uniqueContainerName('faults-stalled');
    // A short lock so a dead worker's item comes back within seconds; requests that never time out, so
    // a dead worker's request stays in flight (as a killed process's would) and nothing else moves the job.
    const config = testConfig(
      { redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container },
      { POLYGLYPH_STALLED_INTERVAL_MS: '1000', POLYGLYPH_REQUEST_TIMEOUT_MS: '300000', POLYGLYPH_MAX_TRANSIENT_MS: '600000', POLYGLYPH_CONCURRENCY: '1', POLYGLYPH_BACKOFF_MS: '200' },
    );
    const runtime = await openWorkerRuntime(config, silentLogger);
    const events = new QueueEvents(config.queueName, { connection: { host: '127.0.0.1', port: services.redis.port }, prefix: config.queuePrefix });
    let stalls = 0;
    events.on('stalled', () => void (stalls += 1));
    const workers: Worker[] = [];
    try {
      await events.waitUntilReady();
      const manifestPath = await writeManifest('id,message,locales,variants,quality\ns1,Offer that outlives its workers,ja,1,low', 'stalled');
      const { runId, jobs } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath,
        defaults: manifestDefaults(config),
        model: config.deployment,
        attempts: config.attempts,
        backoffMs: config.backoffMs,
      });
      expect(jobs).toBe(1);

      // Every request hangs while the workers die: each takes the item, asks for its image, and is
      // closed without giving the item back (its lock simply expires, as a killed process's does).
      api.configure({ faultRates: { hang: 1 } });
      for (let death = 1; death <= DEATHS; death++) {
        const worker = createImageWorker(runtime, imageWorkerOptions(config));
        workers.push(worker);
        await waitUntil(() => inFlight(api.stats()) >= death, `worker ${death} asked for the image`, 30_000);
        await worker.close(true);
      }
      api.configure({ faultRates: {} });
      workers.push(createImageWorker(runtime, imageWorkerOptions(config)));

      const run = await waitForSettledRun(config.redisUrl, config.queuePrefix, config.queueName, runId, 60_000);
      const rows = await readRows(runtime.runStore, runId);
      expect(stalls, 'the item went through stalled-job recovery once per dead worker').toBeGreaterThanOrEqual(DEATHS);
      expect(run.itemsFailed, `failed rows: ${JSON.stringify(rows.filter((r) => r.status === 'failed').map((r) => [r.errorCode, r.errorMessage]))}`).toBe(0);
      expect(rows).toMatchObject([{ id: 's1', locale: 'ja', status: 'created' }]);
      expect(run.imagesCreated).toBe(1);
    } finally {
      await api.close();
      for (const worker of workers) await closeWorker(worker);
      await events.close().catch(() => {});
      await runtime.close();
    }
  }, 120_000);
});
