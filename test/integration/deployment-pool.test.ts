import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { Redis } from 'ioredis';
import { deploymentKey, deploymentRegistryKey } from '../../src/deployments/deployment-keys.js';
import { USAGE_BUCKET_MS } from '../../src/deployments/usage-counters.js';
import { loadDeployments } from '../../src/deployments/deployment-spec.js';
import { describeDeploymentState, readDeploymentUsage, USAGE_WINDOW_MINUTES, type DeploymentUsage } from '../../src/deployments/deployment-usage.js';
import { DeploymentPool, LEARN_BETA, LEARN_PLATEAU } from '../../src/deployments/deployment-pool.js';
import { pacedImagesPerMinute } from '../../src/deployments/paced-rate.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import { InternalServerError } from '../../src/errors/api-error.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { readRows, silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';
import { uniquePrefix } from '../helpers/unique.js';

let services: Awaited<ReturnType<typeof startServices>>;
let dir: string;
const regions: MockImageApi[] = [];

beforeAll(async () => {
  services = await startServices();
  dir = await mkdtemp(join(tmpdir(), 'pg-pool-'));
});
afterAll(async () => {
  await Promise.all(regions.map((region) => region.close()));
  await services?.stop();
});

async function region(options: Parameters<typeof createMockImageApi>[0] = {}): Promise<MockImageApi> {
  const api = createMockImageApi({ latencyMs: 20, ...options });
  regions.push(api);
  await api.listen();
  return api;
}

async function writeJson(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

/** Runs `items` one-image items through a pool described by `deployments`; returns the report rows and each deployment's usage after. */
async function runThroughPool(deployments: unknown[], items: number, extra: Record<string, string> = {}): Promise<ReportRow[] & { usage: Record<string, DeploymentUsage> }> {
  const file = await writeJson(`pool-${newRunId()}.json`, { deployments });
  const config: Config = testConfig(
    { redisUrl: services.redis.url, apiUrl: 'http://unused.invalid', storage: services.azurite.connectionString, container: uniqueContainerName('pool') },
    { POLYGLYPH_DEPLOYMENTS_FILE: file, ...extra },
  );
  const manifest = join(dir, `m-${newRunId()}.csv`);
  await writeFile(manifest, ['id,message,locales', ...Array.from({ length: items }, (_, i) => `m${i},Offer ${i} ${manifest},ja`)].join('\n'));
  const runtime = await openWorkerRuntime(config, silentLogger);
  const worker = createImageWorker(runtime, { concurrency: 8, prefix: config.queuePrefix });
  try {
    const { runId } = await enqueueManifest(runtime, { runId: newRunId(), manifestPath: manifest, defaults: manifestDefaults(config), model: 'gpt-image-2', attempts: 4, backoffMs: 20 });
    await waitForRun(runtime.runStore, runId);
    const rows = await readRows(runtime.runStore, runId);
    const usage = await readDeploymentUsage(runtime.redis, runtime.runStore.keys.base);
    return Object.assign(rows, { usage: Object.fromEntries(usage.map((u) => [u.name, u])) });
  } finally {
    await worker.close();
    await runtime.close();
  }
}

/** Images in the 5-minute usage window: a run of a few seconds falls in it whole. */
function imagesCounted(usage: DeploymentUsage): number {
  return Math.round(usage.imagesPerMinuteRecent * USAGE_WINDOW_MINUTES);
}

describe('deployment pool', () => {
  it('spreads work over every deployment, in proportion to their quotas, and says which made each image', async () => {
    const [a, b] = [await region(), await region()];
    const rows = await runThroughPool(
      [
        { name: 'east', endpoint: a.url, apiKey: 'k', imagesPerMinute: 1_200 },
        { name: 'west', endpoint: b.url, apiKey: 'k', imagesPerMinute: 3_600 },
      ],
      24,
    );
    expect(rows.filter((r) => r.status === 'created')).toHaveLength(24);
    const byDeployment = { east: rows.filter((r) => r.deployment === 'east').length, west: rows.filter((r) => r.deployment === 'west').length };
    expect(byDeployment.east + byDeployment.west).toBe(24);
    expect(byDeployment.east).toBe(a.stats().imagesGenerated);
    expect(byDeployment.west).toBe(b.stats().imagesGenerated);
    expect(byDeployment.east).toBeGreaterThan(0);
    expect(byDeployment.west).toBeGreaterThan(byDeployment.east); // 3x the quota
  });

  it('takes a failing deployment out (circuit breaker) and finishes everything on the others', async () => {
    const healthy = await region();
    const broken = await region({ faultRates: { 'server-error': 1 } });
    const rows = await runThroughPool(
      [
        { name: 'healthy', endpoint: healthy.url, apiKey: 'k', imagesPerMinute: 600 },
        { name: 'broken', endpoint: broken.url, apiKey: 'k', imagesPerMinute: 6_000 },
      ],
      12,
      { POLYGLYPH_BREAKER_FAILURES: '2', POLYGLYPH_BREAKER_COOLDOWN_MS: '60000' },
    );
    expect(rows.filter((r) => r.status === 'created')).toHaveLength(12);
    expect(rows.every((r) => r.deployment === 'healthy')).toBe(true);
    // Two failures trip it; in-flight requests may add a few, then nothing more is sent its way.
    expect(broken.stats().requests).toBeGreaterThanOrEqual(2);
    expect(broken.stats().requests).toBeLessThanOrEqual(2 + 8);
    expect(healthy.stats().imagesGenerated).toBe(12);
    // What the dashboard shows: the images per deployment, and the broken one out with its breaker open.
    expect(imagesCounted(rows.usage.healthy!)).toBe(12);
    expect(rows.usage.broken).toMatchObject({ imagesPerMinute: 6_000, pausedBecause: 'breaker', consecutiveFailures: 1 });
    // Still held (60 s cool-down), without asserting how much of it a loaded machine used up while the run went.
    expect(rows.usage.broken!.pausedForMs).toBeGreaterThan(0);
    expect(rows.usage.broken!.pausedForMs).toBeLessThanOrEqual(60_000);
  });

  it('holds a deployment that answers 429 for the time it asks, without using attempts, while the others carry on', async () => {
    const roomy = await region();
    const tight = await region({ imagesPerMinute: 6 }); // we claim 6,000/min: it will refuse
    const rows = await runThroughPool(
      [
        { name: 'roomy', endpoint: roomy.url, apiKey: 'k', imagesPerMinute: 600 },
        { name: 'tight', endpoint: tight.url, apiKey: 'k', imagesPerMinute: 6_000 },
      ],
      12,
    );
    expect(rows.filter((r) => r.status === 'created')).toHaveLength(12);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    expect(tight.stats().rateLimited).toBeGreaterThan(0);
    // After a 429 the deployment is held for retry-after (10 s at 6/min): at most the in-flight ones hit it.
    expect(tight.stats().rateLimited).toBeLessThanOrEqual(8);
    expect(roomy.stats().imagesGenerated + tight.stats().imagesGenerated).toBe(12);
    // What the dashboard shows: every 429 counted, the tight one held, images split as generated.
    expect(rows.usage.tight).toMatchObject({ rateLimitedRecent: tight.stats().rateLimited, pausedBecause: 'rate-limited' });
    expect(imagesCounted(rows.usage.tight!)).toBe(tight.stats().imagesGenerated);
    expect(imagesCounted(rows.usage.roomy!)).toBe(roomy.stats().imagesGenerated);
  });
});

describe('deployment usage', () => {
  it('counts the images of the last 60 s from 10-second buckets, the oldest weighted by the share still inside, and averages 5 minutes', async () => {
    const redis = new Redis(services.redis.url);
    try {
      const base = uniquePrefix('usage');
      await redis.hset(deploymentRegistryKey(base), 'east', JSON.stringify({ name: 'east', model: 'gpt-image-2', provider: 'azure-openai', imagesPerMinute: 60, seenAt: 1 }));
      // Not in the last second of a bucket, so writing and reading happen in the same one.
      if ((await redisNow(redis)) % USAGE_BUCKET_MS > USAGE_BUCKET_MS - 1_000) await new Promise((resolve) => setTimeout(resolve, 1_100));
      const before = await redisNow(redis);
      const bucket = Math.floor(before / USAGE_BUCKET_MS);
      const images = deploymentKey(base, 'east', 'images');
      // 20 in the current bucket, 10 in each of the five before it, 60 in the one 60-70 s ago, 1 long before.
      const counts: Array<[number, number]> = [
        [0, 20],
        [1, 10],
        [2, 10],
        [3, 10],
        [4, 10],
        [5, 10],
        [6, 60],
        [20, 1],
      ];
      // One hash per deployment and event, field = bucket (what commands/count-now-1.lua writes).
      await redis.hset(images, Object.fromEntries(counts.map(([back, count]) => [String(bucket - back), count])));
      await redis.hset(deploymentKey(base, 'east', 'rate-limited'), String(bucket - 3), 2);
      const [usage] = await readDeploymentUsage(redis, base);
      const after = await redisNow(redis);
      expect(Math.floor(after / USAGE_BUCKET_MS)).toBe(bucket);
      const share = (at: number): number => 1 - (at % USAGE_BUCKET_MS) / USAGE_BUCKET_MS;
      // 70 whole, plus the oldest bucket's share still inside the window, whenever in the bucket we read.
      expect(usage!.imagesLast60s).toBeLessThanOrEqual(70 + 60 * share(before) + 1e-9);
      expect(usage!.imagesLast60s).toBeGreaterThanOrEqual(70 + 60 * share(after) - 1e-9);
      expect(usage!.utilisation).toBeCloseTo(usage!.imagesLast60s / 60);
      expect(usage!.imagesPerMinuteRecent).toBeCloseTo((20 + 50 + 60 + 1) / 5);
      expect(usage).toMatchObject({ name: 'east', rateLimitedRecent: 2, pausedForMs: 0, consecutiveFailures: 0 });
      // Registered at the epoch and never again: no worker serves it.
      expect(usage!.unservedForMs).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});

async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

describe('deployments file', () => {
  const base = (file: string): Config =>
    testConfig({ redisUrl: 'redis://127.0.0.1:1', apiUrl: 'http://x.invalid', storage: 'UseDevelopmentStorage=true', container: 'c-test' }, { POLYGLYPH_DEPLOYMENTS_FILE: file });

  it('reads several deployments with their own endpoint, key, model and quota', async () => {
    const file = await writeJson('ok.json', {
      deployments: [
        { name: 'swe', endpoint: 'https://swe.openai.azure.com', deployment: 'img2', model: 'gpt-image-2', apiKeyEnv: 'SWE_KEY', imagesPerMinute: 6 },
        { name: 'eus', gptEndpoint: 'https://eus.openai.azure.com/openai/v1/images/generations', model: 'gpt-image-2', imagesPerMinute: 12 },
      ],
    });
    const specs = loadDeployments(base(file), { SWE_KEY: 'secret' });
    expect(specs.map((s) => [s.name, s.model, s.imagesPerMinute, s.api.apiKey])).toEqual([
      ['swe', 'gpt-image-2', 6, 'secret'],
      ['eus', 'gpt-image-2', 12, undefined],
    ]);
  });

  it('says what is wrong, where, and how to fix it', async () => {
    const bad = await writeJson('bad.json', { deployments: [{ name: 'a b', imagesPerMinute: -1, colour: 'red' }] });
    expect(() => loadDeployments(base(bad), {})).toThrow(ConfigError);
    expect(() => loadDeployments(base(bad), {})).toThrow(/deployments\[0\]\.name: letters, digits/);
    expect(() => loadDeployments(base(bad), {})).toThrow(/deployments\[0\]\.imagesPerMinute/);
    const missingKey = await writeJson('key.json', { deployments: [{ name: 'a', endpoint: 'https://a.example', apiKeyEnv: 'NOPE_KEY', imagesPerMinute: 6 }] });
    expect(() => loadDeployments(base(missingKey), {})).toThrow(/takes its key from NOPE_KEY, which is not set/);
    expect(() => loadDeployments(base(join(dir, 'absent.json')), {})).toThrow(/no such file/);
    const twice = await writeJson('twice.json', {
      deployments: [
        { name: 'a', endpoint: 'https://a.example', imagesPerMinute: 6 },
        { name: 'a', endpoint: 'https://b.example', imagesPerMinute: 6 },
      ],
    });
    expect(() => loadDeployments(base(twice), {})).toThrow(/two deployments are named 'a'/);
  });
});

/** Deployment 'east' (600/min) as a worker's pool holds it, for the breaker and pacing scripts; no API is called. */
function eastMember(): { spec: { name: string; model: string; provider: 'azure-openai'; imagesPerMinute: number; api: never }; api: never } {
  return { spec: { name: 'east', model: 'gpt-image-2', provider: 'azure-openai', imagesPerMinute: 600, api: {} as never }, api: {} as never };
}

const serverError = (): InternalServerError => new InternalServerError('500', { status: 500, code: undefined, requestId: undefined, retryAfterMs: undefined });

describe('the circuit breaker', () => {
  it('failures of requests in flight when it tripped do not lengthen the hold: one trip, one base cool-down', async () => {
    const redis = new Redis(services.redis.url);
    try {
      const base = uniquePrefix('breaker');
      const member = eastMember();
      const pool = new DeploymentPool(redis, base, [member], { failures: 5, cooldownMs: 60_000 });
      for (let failure = 1; failure < 5; failure++) expect(await pool.recordFailure(member, serverError())).toBe(0);
      expect(await pool.recordFailure(member, serverError())).toBe(60_000);
      // Six more requests that were in flight fail: the old script doubled the hold each time (up to 32 min).
      for (let late = 0; late < 6; late++) {
        const held = await pool.recordFailure(member, serverError());
        expect(held).toBeGreaterThan(0);
        expect(held).toBeLessThanOrEqual(60_000);
      }
      expect(Number(await redis.get(deploymentKey(base, 'east', 'tat'))) - Date.now()).toBeLessThanOrEqual(60_000 + 1_000);
    } finally {
      redis.disconnect();
    }
  });
});

describe("a deployment's state, as status and the dashboard show it", () => {
  it('shows a held breaker, then half-open (the next request is a trial, then the trial out), then a rate learned from 429s', async () => {
    const redis = new Redis(services.redis.url);
    try {
      const base = uniquePrefix('state');
      const member = eastMember();
      const pool = new DeploymentPool(redis, base, [member], { failures: 5, cooldownMs: 300 });
      await redis.hset(deploymentRegistryKey(base), 'east', JSON.stringify({ name: 'east', model: 'gpt-image-2', provider: 'azure-openai', imagesPerMinute: 600, seenAt: Date.now() }));
      const state = async (): Promise<string> => describeDeploymentState((await readDeploymentUsage(redis, base))[0]!).text;
      expect(await state()).toBe('taking work');

      for (let failure = 0; failure < 5; failure++) await pool.recordFailure(member, serverError());
      expect(await state()).toMatch(/^circuit breaker open, /);
      await waitUntil(async () => !(await state()).startsWith('circuit breaker open'), 'the hold to end', 10_000);
      expect(await state()).toBe('circuit breaker half-open: the next request is a trial');
      const trial = await pool.acquire('gpt-image-2', 1);
      expect(trial).toMatchObject({ granted: true, trial: true });
      expect(await state()).toBe('circuit breaker half-open: one trial request out');
      await pool.recordSuccess(member, 1);
      expect(await state()).toBe('taking work');

      // A 429 while paced within the quota: every worker paces at 0.7 x 600 = 420/min now.
      await pool.rateLimited(member, 1, trial.granted ? trial.admittedAt : 0);
      await waitUntil(async () => !(await state()).startsWith('held after a 429'), 'the 429 hold to end', 10_000);
      expect(await state()).toMatch(/^taking work at 4\d\d\/min, learned from 429s$/);
    } finally {
      redis.disconnect();
    }
  });
});

describe('a quota learned from 429s', () => {
  it('a 429 within the quota cuts the rate for every worker once per cut, spacing admissions wider, and the rate climbs back to the configured quota', async () => {
    const redis = new Redis(services.redis.url);
    try {
      const base = uniquePrefix('learn');
      const member = eastMember();
      // Two pools on one Redis: two workers.
      const one = new DeploymentPool(redis, base, [member], { failures: 5, cooldownMs: 1000 });
      const two = new DeploymentPool(redis, base, [member], { failures: 5, cooldownMs: 1000 });
      const first = await one.acquire('gpt-image-2', 1);
      expect(first.granted).toBe(true);
      const admittedAt = first.granted ? first.admittedAt : 0;
      // Refused though we paced at 600/min: the rate drops to LEARN_BETA x 600 for both.
      expect(await one.rateLimited(member, 1, admittedAt)).toBeCloseTo(600 * LEARN_BETA);
      // A second 429 of a request admitted before that cut holds but does not cut again.
      // (the climb back has started: a little above the cut, far below what a second cut would give)
      const after = await two.rateLimited(member, 1, admittedAt - 1);
      expect(after).toBeGreaterThanOrEqual(600 * LEARN_BETA);
      expect(after).toBeLessThan(600 * 0.8);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // The next admission is spaced by the learned interval (60000 / 420 = 143 ms), not 100 ms.
      let granted = await two.acquire('gpt-image-2', 1);
      while (!granted.granted) granted = await two.acquire('gpt-image-2', 1);
      const refused = await one.acquire('gpt-image-2', 1);
      expect(refused.granted).toBe(false);
      if (!refused.granted) expect(refused.waitMs).toBeGreaterThan(100);
      // Long after the cut (moved back in time here) the climb has passed the configured quota: forgotten.
      const learned = deploymentKey(base, 'east', 'learned');
      expect(await redis.exists(learned)).toBe(1);
      await redis.hset(learned, 'cutAt', Date.now() - 10 * 60_000);
      await redis.del(deploymentKey(base, 'east', 'tat'));
      expect((await one.acquire('gpt-image-2', 1)).granted).toBe(true);
      expect(await redis.exists(learned)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('after a cut, climbs to a plateau below the refused rate and stays under it for a while before probing beyond it', async () => {
    const redis = new Redis(services.redis.url);
    try {
      const base = uniquePrefix('plateau');
      const member = eastMember();
      const pool = new DeploymentPool(redis, base, [member], { failures: 5, cooldownMs: 1000 });
      const first = await pool.acquire('gpt-image-2', 1);
      expect(await pool.rateLimited(member, 1, first.granted ? first.admittedAt : 0)).toBeCloseTo(600 * LEARN_BETA);
      const learned = deploymentKey(base, 'east', 'learned');
      const rateSecondsAfterCut = async (seconds: number): Promise<number> => {
        await redis.hset(learned, 'cutAt', Date.now() - seconds * 1000);
        return pacedImagesPerMinute(redis, base, 'east', 600);
      };
      // 600/min was refused: 20 s and 40 s after the cut the rate is still below it (the old climb was
      // back at 600 within 15 s and bought the next 429 there), near the plateau of LEARN_PLATEAU x 600.
      const at20 = await rateSecondsAfterCut(20);
      expect(at20).toBeGreaterThan(600 * LEARN_BETA);
      expect(at20).toBeLessThanOrEqual(600 * LEARN_PLATEAU);
      const at40 = await rateSecondsAfterCut(40);
      expect(at40).toBeGreaterThanOrEqual(600 * LEARN_PLATEAU);
      expect(at40).toBeLessThan(600);
      // Then the probe passes the refused rate: back at the configured quota, the learned state is dropped.
      expect(await rateSecondsAfterCut(90)).toBe(600);
      expect(await redis.exists(learned)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
