// Fault injection: the workers reading an item's text keep dying (rolling restarts, kills). The image
// worker's items are recovered from any number of dead workers while their own time lasts
// (stall-recovery.ts); the text-check worker used BullMQ's maxStalledCount 2, so the third death failed
// the check ("job stalled more than allowable limit") and the item settled with its image unchecked
// (textStatus `error`) although nothing was wrong with it. Now the check is recovered the same way.
import { QueueEvents, type Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { createMockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import type { TextReader, TextReading } from '../../src/text-check/text-reader.js';
import { createImageWorker, imageWorkerOptions } from '../../jobs/image-worker.js';
import { createTextCheckWorker } from '../../jobs/text-check-worker.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { closeWorker, waitForSettledRun, writeManifest } from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig, waitUntil } from '../helpers/pipeline.js';
import { startServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.stop();
});

/** BullMQ's limit for the text-check worker was 2 recoveries: the third failed the check. */
const DEATHS = 3;
const TEXT = '春のセール';

/** Reads `TEXT` once the first `hangs` reads are over; those never answer (their worker dies meanwhile). */
class HangingReader implements TextReader {
  readonly engine = 'tesseract';
  reads = 0;
  constructor(private readonly hangs: number) {}
  read(): Promise<TextReading> {
    this.reads += 1;
    if (this.reads <= this.hangs) return new Promise<TextReading>(() => undefined);
    return Promise.resolve({ text: TEXT, engine: this.engine });
  }
}

describe("fault injection: the workers checking an item's text keep dying", () => {
  it(`a check whose worker dies ${DEATHS} times in a row is recovered every time and completed, not recorded as error`, async () => {
    const api = createMockImageApi({ latencyMs: 5 });
    await api.listen();
    // A short lock so a dead worker's check comes back within seconds.
    const config = testConfig(
      { redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('check-stalled') },
      { POLYGLYPH_STALLED_INTERVAL_MS: '1000', POLYGLYPH_MAX_TRANSIENT_MS: '600000', POLYGLYPH_TEXT_CHECK_CONCURRENCY: '1' },
    );
    const runtime = await openWorkerRuntime(config, silentLogger);
    const checkQueue = runtime.textCheckQueue!;
    const events = new QueueEvents(checkQueue.name, { connection: { host: '127.0.0.1', port: services.redis.port }, prefix: config.queuePrefix });
    let stalls = 0;
    events.on('stalled', () => void (stalls += 1));
    const reader = new HangingReader(DEATHS);
    const imageWorker = createImageWorker({ ...runtime, checkTextOn: checkQueue }, imageWorkerOptions(config));
    const checkers: Worker[] = [];
    try {
      await events.waitUntilReady();
      const manifestPath = await writeManifest(`id,message,locales,quality,text:ja\ns1,Spring sale,ja,low,${TEXT}`, 'check-stalled');
      const { runId } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath,
        defaults: manifestDefaults(config),
        model: config.deployment,
        attempts: config.attempts,
        backoffMs: config.backoffMs,
      });

      // Each checker takes the item's check, starts reading and is closed without giving it back (its
      // lock simply expires, as a killed process's does).
      for (let death = 1; death <= DEATHS; death++) {
        const checker = createTextCheckWorker({ ...runtime, queue: checkQueue, reader, config });
        checkers.push(checker);
        await waitUntil(() => reader.reads >= death, `checker ${death} started reading`, 30_000);
        await checker.close(true);
      }
      checkers.push(createTextCheckWorker({ ...runtime, queue: checkQueue, reader, config }));

      const run = await waitForSettledRun(config.redisUrl, config.queuePrefix, config.queueName, runId, 60_000);
      const rows = await readRows(runtime.runStore, runId);
      expect(stalls, 'the check went through stalled-job recovery once per dead checker').toBeGreaterThanOrEqual(DEATHS);
      expect(rows).toMatchObject([{ id: 's1', locale: 'ja', status: 'created', textStatus: 'ok', readText: TEXT }]);
      expect(reader.reads, 'read once more after the last death').toBe(DEATHS + 1);
      expect(run.itemsFailed).toBe(0);
    } finally {
      await api.close();
      for (const checker of checkers) await closeWorker(checker);
      await closeWorker(imageWorker);
      await events.close().catch(() => {});
      await runtime.close();
    }
  }, 120_000);
});
