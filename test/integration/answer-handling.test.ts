// Answers handled as openai-node handles them (issue 10, Build 3), through a real in-process worker,
// the stand-in API (or a fetch that replays one odd answer first), a private Redis and Azurite.
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { deploymentKey } from '../../src/deployments/deployment-keys.js';
import { loadDeployments } from '../../src/deployments/deployment-spec.js';
import { createMockImageApi, type MockImageApi, type MockImageApiOptions } from '../../src/mock-api/server.js';
import { PrometheusWorkerMetrics } from '../../src/observability/metrics.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import { createImageWorker, imageWorkerOptions } from '../../jobs/image-worker.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { closeWorker, writeManifest } from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { startServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.stop();
});

interface Setup {
  api: MockImageApi;
  config: Config;
  runtime: WorkerRuntime;
  metrics: PrometheusWorkerMetrics;
  worker: Worker;
}
let current: Setup | undefined;
afterEach(async () => {
  if (!current) return;
  await closeWorker(current.worker);
  await current.runtime.close();
  await current.api.close();
  current = undefined;
});

/** A worker over the stand-in; `firstAnswers` replace the stand-in's answer to the first requests, in order. */
async function setup(apiOptions: MockImageApiOptions, env: Record<string, string>, firstAnswers: Array<() => Response> = []): Promise<Setup> {
  const api = createMockImageApi(apiOptions);
  await api.listen();
  const config = testConfig(
    { redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('answers') },
    { POLYGLYPH_BACKOFF_MS: '100', POLYGLYPH_ATTEMPTS: '3', ...env },
  );
  const pending = [...firstAnswers];
  const fetchWithReplies: typeof fetch = (input, init) => {
    const answer = pending.shift();
    return answer ? Promise.resolve(answer()) : fetch(input, init);
  };
  const runtime = await openWorkerRuntime(config, silentLogger, { fetch: fetchWithReplies });
  const metrics = new PrometheusWorkerMetrics({ deployments: runtime.pool.members.map((member) => member.spec), defaultMetrics: false });
  const worker = createImageWorker({ ...runtime, metrics }, imageWorkerOptions(config));
  current = { api, config, runtime, metrics, worker };
  return current;
}

async function runManifest(s: Setup, manifest: string): Promise<ReportRow[]> {
  const manifestPath = await writeManifest(manifest, 'answers');
  const specs = loadDeployments(s.config);
  const { runId } = await enqueueManifest(s.runtime, {
    runId: newRunId(),
    manifestPath,
    defaults: manifestDefaults(s.config, { warn: () => undefined }),
    model: specs[0]!.model,
    deployments: specs,
    attempts: s.config.attempts,
    backoffMs: s.config.backoffMs,
  });
  await waitForRun(s.runtime.runStore, runId, 40_000);
  return readRows(s.runtime.runStore, runId);
}

function answer(status: number, body: unknown, headers: Record<string, string>): () => Response {
  return () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

describe('answers, as the worker handles them', () => {
  it('fewer images than asked: stages the delivered one and asks only for the rest, paying once per image', async () => {
    const s = await setup({ apiKey: 'test-key' }, {});
    s.api.injectFaults(['fewer-images']);
    const rows = await runManifest(s, 'id,message,locales,variants,quality\npair,Two of a kind,ja,2,low');
    expect(rows.map((row) => row.status)).toEqual(['created', 'created']);
    const stats = s.api.stats();
    expect(stats.requestLog.map((entry) => [entry.status, entry.n])).toEqual([
      [200, 2],
      [200, 1],
    ]);
    expect(Object.values(stats.generationsByPrompt)).toEqual([2]);
  });

  it("a 429 with retry-after: 86400 holds the deployment for at most 60 s, and the item's rate-limit clock keeps running", async () => {
    const s = await setup({ apiKey: 'test-key' }, { AZURE_OPENAI_DEPLOYMENT: 'img-prod-eastus', POLYGLYPH_MAX_RATE_LIMITED_MS: '1500' }, [
      answer(429, { error: { code: '429', message: 'Rate limit' } }, { 'retry-after': '86400' }),
    ]);
    const pausedKey = deploymentKey(s.runtime.runStore.keys.base, 'img-prod-eastus', 'paused');
    const rowsPromise = runManifest(s, 'id,message,locales,quality\nslow,Patience pays,ja,low');
    await waitUntil(async () => (await s.runtime.redis.exists(pausedKey)) === 1, 'the deployment to be held');
    const heldMs = await s.runtime.redis.pttl(pausedKey);
    expect(heldMs).toBeGreaterThan(0);
    expect(heldMs).toBeLessThanOrEqual(60_000);
    const rows = await rowsPromise;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', errorCode: 'rate_limited' });
    expect(rows[0]!.errorMessage).toMatch(/longer than POLYGLYPH_MAX_RATE_LIMITED_MS/);
    expect(s.api.stats().requestLog).toHaveLength(0);
  });

  it('a 503 with retry-after holds the deployment that long before the retry, which then succeeds', async () => {
    const s = await setup({ apiKey: 'test-key' }, {}, [answer(503, { error: { code: 'ServiceUnavailable', message: 'busy' } }, { 'retry-after': '2' })]);
    const pausedKey = deploymentKey(s.runtime.runStore.keys.base, 'gpt-image-2', 'paused');
    const rowsPromise = runManifest(s, 'id,message,locales,quality\nbusy,Come back later,ja,low');
    await waitUntil(async () => (await s.runtime.redis.exists(pausedKey)) === 1, 'the deployment to be held after the 503');
    expect(await s.runtime.redis.get(pausedKey)).toMatch(/\|retry-after /);
    const rows = await rowsPromise;
    expect(rows).toMatchObject([{ status: 'created' }]);
  });

  it('x-should-retry: false ends an item on a 500 at its first attempt', async () => {
    const s = await setup({ apiKey: 'test-key' }, {}, [answer(500, { error: { code: 'InternalServerError', message: 'no' } }, { 'x-should-retry': 'false' })]);
    const rows = await runManifest(s, 'id,message,locales,quality\nfinal,Do not try again,ja,low');
    expect(rows).toMatchObject([{ status: 'failed', errorCode: 'InternalServerError', attempts: 1 }]);
  });

  it('a timed-out request is retried and counted as a possible double payment', async () => {
    // 2 s: long enough that an ordinary answer on a loaded machine rarely times out too; when one
    // does, it is a timeout as well, and the metric must count it (one per request the client gave up on).
    const s = await setup({ apiKey: 'test-key' }, { POLYGLYPH_REQUEST_TIMEOUT_MS: '2000' });
    s.api.injectFaults(['hang']);
    const rows = await runManifest(s, 'id,message,locales,quality\nslow,Eventually,ja,low');
    expect(rows).toMatchObject([{ status: 'created' }]);
    // Every request but the one that answered was abandoned by the client.
    const abandoned = s.api.stats().requests - 1;
    expect(abandoned).toBeGreaterThanOrEqual(1);
    expect(await s.metrics.registry.metrics()).toContain(`polyglyph_request_timeouts_total{deployment="gpt-image-2"} ${abandoned}`);
  });

  it('MAI with variants > 1: each per-image request takes its own quota slot, so the service never sees a burst', async () => {
    const s = await setup({ apiKey: 'test-key', deployments: ['MAI-Image-2e'], imagesPerMinute: 120 }, { AZURE_OPENAI_DEPLOYMENT: 'MAI-Image-2e', POLYGLYPH_IMAGES_PER_MINUTE: '120' });
    const rows = await runManifest(s, 'id,message,locales,variants\ntrio,Three of a kind,ja,3');
    expect(rows.map((row) => row.status)).toEqual(['created', 'created', 'created']);
    const stats = s.api.stats();
    expect(stats.rateLimited).toBe(0);
    expect(stats.requestLog.map((entry) => entry.status)).toEqual([200, 200, 200]);
  });
});
