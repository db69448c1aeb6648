import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { Redis } from 'ioredis';
import { deploymentKey, deploymentRegistryKey } from '../../src/deployments/deployment-keys.js';
import { loadDeployments } from '../../src/deployments/deployment-spec.js';
import { readDeploymentUsage, USAGE_WINDOW_MINUTES, type DeploymentUsage } from '../../src/deployments/deployment-usage.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker } from '../../workers/image-worker.js';
import { openWorkerRuntime } from '../../workers/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { silentLogger, testConfig, waitForRun } from '../helpers/pipeline.js';
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
  const config: Config = testConfig({ redisUrl: services.redis.url, apiUrl: 'http://unused.invalid', storage: services.azurite.connectionString, container: uniqueContainerName('pool') }, { POLYGLYPH_DEPLOYMENTS_FILE: file, ...extra });
  const manifest = join(dir, `m-${newRunId()}.csv`);
  await writeFile(manifest, ['id,message,locales', ...Array.from({ length: items }, (_, i) => `m${i},Offer ${i} ${manifest},ja`)].join('\n'));
  const runtime = await openWorkerRuntime(config, silentLogger);
  const worker = createImageWorker(runtime, { concurrency: 8, prefix: config.queuePrefix });
  try {
    const { runId } = await enqueueManifest(runtime, { runId: newRunId(), manifestPath: manifest, defaults: manifestDefaults(config), model: 'gpt-image-2', attempts: 4, backoffMs: 20 });
    await waitForRun(runtime.runStore, runId);
    const rows: ReportRow[] = [];
    for await (const row of runtime.runStore.rows(runId)) rows.push(row);
    const usage = await readDeploymentUsage(runtime.redis, runtime.runStore.keys.base);
    return Object.assign(rows, { usage: Object.fromEntries(usage.map((u) => [u.name, u])) });
  } finally {
    await worker.close();
    await runtime.close();
  }
}

/** Images in the usage window and this minute together: a run of a few seconds falls in them. */
function imagesCounted(usage: DeploymentUsage): number {
  return Math.round(usage.imagesThisMinute + usage.imagesPerMinuteRecent * USAGE_WINDOW_MINUTES);
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
    expect(rows.usage.broken!.pausedForMs).toBeGreaterThan(50_000);
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
  it('estimates images in the last 60 s as a sliding window over this minute and the one before, and averages the five before', async () => {
    const redis = new Redis(services.redis.url);
    try {
      const base = uniquePrefix('usage');
      await redis.hset(deploymentRegistryKey(base), 'east', JSON.stringify({ name: 'east', model: 'gpt-image-2', provider: 'azure-openai', imagesPerMinute: 60, registeredAt: 1 }));
      const [seconds] = await redis.time();
      const minute = Math.floor((Number(seconds) * 1000) / 60_000);
      const images = deploymentKey(base, 'east', 'images');
      // 20 so far this minute, 60 in the one before, 30 in each of the four before that.
      await redis.mset(`${images}:${minute}`, 20, `${images}:${minute - 1}`, 60, ...[2, 3, 4, 5].flatMap((back) => [`${images}:${minute - back}`, 30]));
      const [usage] = await readDeploymentUsage(redis, base);
      const [after] = await redis.time();
      const elapsed = [(Number(seconds) % 60) / 60, ((Number(after) % 60) + 1) / 60];
      expect(usage).toMatchObject({ name: 'east', imagesThisMinute: 20, imagesPerMinuteRecent: (60 + 4 * 30) / 5, pausedForMs: 0, consecutiveFailures: 0, rateLimitedRecent: 0 });
      // 20 + 60 x (share of the earlier minute the window still covers), whichever second we read in.
      expect(usage!.imagesLast60s).toBeLessThanOrEqual(20 + 60 * (1 - elapsed[0]!) + 1e-9);
      expect(usage!.imagesLast60s).toBeGreaterThanOrEqual(20 + 60 * (1 - elapsed[1]!) - 1e-9);
      expect(usage!.utilisation).toBeCloseTo(usage!.imagesLast60s / 60);
    } finally {
      redis.disconnect();
    }
  });
});

describe('deployments file', () => {
  const base = (file: string): Config => testConfig({ redisUrl: 'redis://127.0.0.1:1', apiUrl: 'http://x.invalid', storage: 'UseDevelopmentStorage=true', container: 'c-test' }, { POLYGLYPH_DEPLOYMENTS_FILE: file });

  it('reads several deployments with their own endpoint, key, model and quota', async () => {
    const file = await writeJson('ok.json', { deployments: [
      { name: 'swe', endpoint: 'https://swe.openai.azure.com', deployment: 'img2', model: 'gpt-image-2', apiKeyEnv: 'SWE_KEY', imagesPerMinute: 6 },
      { name: 'eus', gptEndpoint: 'https://eus.openai.azure.com/openai/v1/images/generations', model: 'gpt-image-2', imagesPerMinute: 12 },
    ] });
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
    const twice = await writeJson('twice.json', { deployments: [{ name: 'a', endpoint: 'https://a.example', imagesPerMinute: 6 }, { name: 'a', endpoint: 'https://b.example', imagesPerMinute: 6 }] });
    expect(() => loadDeployments(base(twice), {})).toThrow(/two deployments are named 'a'/);
  });
});
