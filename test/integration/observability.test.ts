import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { createWorkerObservability } from '../../src/observability/worker-observability.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { closeWorker } from '../helpers/fault-harness.js';
import { silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { parseSamples, sampleValue } from '../helpers/prometheus-text.js';
import { startServices } from '../helpers/services.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 5 });
  await api.listen();
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
});

/** 5 jobs (message x locale), 7 images: `sale` has two variants in each of its two locales. */
const MANIFEST = 'id,message,locales,variants\nwelcome,Welcome,ja ko,1\nsale,Spring sale,hi zh-Hans,2\nthanks,Thank you,bn,1\n';
const JOBS = 5;
const IMAGES = 7;

describe('worker metrics and health endpoints', () => {
  it('counts what a run did per deployment, next to its quota, and reports readiness until storage goes away', async () => {
    // Storage through a relay: closing it makes storage go away for this worker only (the Azurite is shared).
    const storage = await startTcpRelay(services.azurite.port);
    const storageConnectionString = services.azurite.connectionString.replace(`:${services.azurite.port}/`, `:${storage.port}/`);
    const config: Config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: storageConnectionString, container: uniqueContainerName('obs') });
    const runtime = await openWorkerRuntime(config, silentLogger);
    // Port 0: a free port, as two test files may run side by side.
    const observability = createWorkerObservability(runtime, { healthPort: 0, healthHost: '127.0.0.1', priceFile: undefined }, silentLogger);
    const lines: string[] = [];
    const logger = createLogger('info', {}, { destination: { write: (line: string) => void lines.push(line) }, secrets: [config.storageConnectionString] });
    const worker = createImageWorker({ ...runtime, logger, metrics: observability.metrics }, { concurrency: 4, prefix: config.queuePrefix });
    try {
      await worker.waitUntilReady();
      const server = await observability.serve(worker);
      expect(server).toBeDefined();
      const url = server!.url;

      const dir = await mkdtemp(join(tmpdir(), 'pg-manifest-'));
      const manifestPath = join(dir, 'observed.csv');
      await writeFile(manifestPath, MANIFEST);
      // One 429 (not a failure: held, re-queued) and one 500 (retried) on the way.
      api.injectFaults(['rate-limit', 'server-error']);
      const { runId } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath,
        defaults: manifestDefaults(config),
        model: config.deployment,
        attempts: config.attempts,
        backoffMs: config.backoffMs,
      });
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ total: JOBS, imagesCreated: IMAGES, itemsFailed: 0 });

      // Every job line names its run, job, message, locale; from the generation on, its deployment.
      const itemsDone = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'item done');
      // The line follows the settle that completes the run.
      await waitUntil(() => itemsDone().length === JOBS, 'a log line for every item');
      const done = itemsDone();
      for (const line of done) expect(line).toMatchObject({ runId, jobId: expect.any(String) as string, deployment: 'gpt-image-2' });
      expect(done.map((line) => `${String(line.messageId)}/${String(line.locale)}`).sort()).toEqual(['sale/hi', 'sale/zh-Hans', 'thanks/bn', 'welcome/ja', 'welcome/ko']);
      const rateLimited = lines.find((line) => line.includes('image API rate limited'));
      expect(JSON.parse(rateLimited!)).toMatchObject({ runId, jobId: expect.any(String) as string, deployment: 'gpt-image-2' });

      const scraped = await fetch(`${url}/metrics`);
      expect(scraped.status).toBe(200);
      const samples = parseSamples(await scraped.text());
      const deployment = { deployment: 'gpt-image-2' };
      expect(sampleValue(samples, 'polyglyph_images_generated_total', { ...deployment, model: 'gpt-image-2' })).toBe(IMAGES);
      expect(sampleValue(samples, 'polyglyph_deployment_quota_images_per_minute', deployment)).toBe(6000);
      // One successful API call per job (its variants come back together).
      expect(sampleValue(samples, 'polyglyph_image_api_duration_seconds_count', deployment)).toBe(JOBS);
      expect(sampleValue(samples, 'polyglyph_rate_limited_total', deployment)).toBe(1);
      const retries = samples.filter((sample) => sample.name === 'polyglyph_retries_total' && sample.labels.deployment === 'gpt-image-2');
      expect(retries.reduce((sum, sample) => sum + sample.value, 0)).toBe(1);
      expect(sampleValue(samples, 'polyglyph_blob_upload_duration_seconds_count')).toBe(IMAGES);
      expect(sampleValue(samples, 'polyglyph_blob_uploaded_bytes_total')).toBeGreaterThan(IMAGES * 100);
      // The stand-in reports token usage; gpt-image-2 has token prices in the built-in table.
      expect(sampleValue(samples, 'polyglyph_cost_microdollars_total', { ...deployment, model: 'gpt-image-2' })).toBeGreaterThan(0);
      expect(samples.filter((sample) => sample.name === 'polyglyph_items_failed_total')).toEqual([]);
      const queueStates = samples.filter((sample) => sample.name === 'polyglyph_queue_jobs' && sample.labels.queue === config.queueName);
      expect(queueStates.map((sample) => sample.labels.state)).toContain('delayed');
      expect(queueStates.filter((sample) => sample.labels.state === 'delayed' || sample.labels.state === 'failed').every((sample) => sample.value === 0)).toBe(true);

      expect((await fetch(`${url}/livez`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: { ok: true }, storage: { ok: true }, worker: { ok: true } } });

      // Last, as nothing after it can use storage.
      await storage.close();
      const unready = await fetch(`${url}/readyz`);
      expect(unready.status).toBe(503);
      expect(await unready.json()).toMatchObject({
        status: 'unavailable',
        failed: ['storage'],
        checks: { redis: { ok: true }, storage: { ok: false, error: 'storage did not answer within 2000 ms' } },
      });
      expect((await fetch(`${url}/livez`)).status).toBe(200);
    } finally {
      await closeWorker(worker);
      await observability.close();
      await runtime.close();
      await storage.close();
    }
  });
});
