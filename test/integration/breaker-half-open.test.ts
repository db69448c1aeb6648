import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageWorker } from '../../jobs/image-worker.js';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { deploymentKey } from '../../src/deployments/deployment-keys.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { readRows, silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi | undefined;

beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
});

const WORKERS = 3;
const ITEMS = 12;
// Each answer takes this long: the trial is in flight that long, and at 6000/min (one admission per
// 10 ms) a breaker without a half-open state lets dozens of waiting requests out meanwhile.
const LATENCY_MS = 400;
const COOLDOWN_MS = 2_000;

describe('the circuit breaker, half-open', () => {
  it('lets exactly one trial request through when a hold ends, for all workers; a failed trial re-opens with the doubled hold, a successful one closes it and the run finishes', async () => {
    // The deployment is down (every request answers 500 after its latency) until the breaker has tripped twice.
    api = createMockImageApi({ latencyMs: LATENCY_MS, faultRates: { 'server-error': 1 } });
    await api.listen();
    const config = testConfig(
      { redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('half-open') },
      { POLYGLYPH_BREAKER_FAILURES: '2', POLYGLYPH_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS) },
    );
    const dir = await mkdtemp(join(tmpdir(), 'pg-half-open-'));
    const manifest = join(dir, 'items.csv');
    await writeFile(manifest, ['id,message,locales', ...Array.from({ length: ITEMS }, (_, i) => `h${i},Offer ${i},ja`)].join('\n'));

    const runtimes = await Promise.all(Array.from({ length: WORKERS }, () => openWorkerRuntime(config, silentLogger)));
    const workers = runtimes.map((runtime) => createImageWorker(runtime, { concurrency: 4, prefix: config.queuePrefix }));
    try {
      const redis = runtimes[0]!.redis;
      const trips = deploymentKey(runtimes[0]!.runStore.keys.base, config.deployment, 'trips');
      const { runId } = await enqueueManifest(runtimes[0]!, { runId: newRunId(), manifestPath: manifest, defaults: manifestDefaults(config), model: 'gpt-image-2', attempts: 4, backoffMs: 10 });
      // The first trip holds the deployment; the trial after it fails (still down) and trips it again.
      await waitUntil(async () => Number(await redis.get(trips)) >= 2, 'the breaker to trip, and its first trial to trip it again');
      // The deployment comes back during the second hold.
      api.configure({ faultRates: {} });
      const run = await waitForRun(runtimes[0]!.runStore, runId, 60_000);

      // Read from the stand-in's own log (its clock: arrival and answer of each request), not from timers.
      const log = [...api.stats().requestLog].sort((a, b) => a.receivedAt - b.receivedAt);
      /** Every request that reached the deployment while `trial` was in flight, itself included. */
      const inFlightWith = (trial: (typeof log)[number]): typeof log => log.filter((entry) => entry.receivedAt >= trial.receivedAt && entry.receivedAt <= trial.at);
      // The failed trial: the last 500 answered (nothing but trials reaches the deployment after the first trip).
      const failedTrial = log
        .filter((entry) => entry.status === 500)
        .sort((a, b) => a.at - b.at)
        .at(-1)!;
      // The trial that closed the breaker: the first request after the deployment came back.
      const closingTrial = log.find((entry) => entry.status === 200)!;
      expect(inFlightWith(failedTrial).map((entry) => entry.status)).toEqual([500]);
      expect(inFlightWith(closingTrial).map((entry) => entry.status)).toEqual([200]);
      // Re-opened with the doubled hold: the next trial came no sooner.
      expect(closingTrial.receivedAt - failedTrial.at).toBeGreaterThanOrEqual(2 * COOLDOWN_MS - 50);
      // Closed again: the pipeline recovered and every item was made.
      expect(run).toMatchObject({ settled: ITEMS, itemsFailed: 0, imagesCreated: ITEMS });
      expect((await readRows(runtimes[0]!.runStore, runId)).filter((row) => row.status === 'created')).toHaveLength(ITEMS);
      expect(await redis.exists(trips)).toBe(0);
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(runtimes.map((runtime) => runtime.close()));
    }
  }, 120_000);
});
