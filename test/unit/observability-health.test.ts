import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICE_TABLE } from '../../src/cost/price-table.js';
import { startHealthServer, type HealthServer, type ReadinessCheck } from '../../src/observability/health-server.js';
import { PrometheusWorkerMetrics } from '../../src/observability/metrics.js';
import { parseSamples, sampleValue } from '../helpers/prometheus-text.js';

const DEPLOYMENTS = [
  { name: 'swedencentral', model: 'gpt-image-2', imagesPerMinute: 6 },
  { name: 'eastus2', model: 'gpt-image-2', imagesPerMinute: 12 },
];

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(metrics: PrometheusWorkerMetrics, checks: Record<string, ReadinessCheck> = {}, checkTimeoutMs = 200): Promise<HealthServer> {
  server = await startHealthServer({ port: 0, registry: metrics.registry, checks, checkTimeoutMs });
  return server;
}

async function scrape(metrics: PrometheusWorkerMetrics) {
  return parseSamples(await metrics.registry.metrics());
}

describe('worker metrics', () => {
  it('counts images, 429s, retries, uploads, cost and failures per deployment, next to each quota', async () => {
    const metrics = new PrometheusWorkerMetrics({ deployments: DEPLOYMENTS, priceTable: DEFAULT_PRICE_TABLE, defaultMetrics: false });
    // Every deployment has its series from the start, so rate() has a baseline.
    let samples = await scrape(metrics);
    expect(sampleValue(samples, 'polyglyph_images_generated_total', { deployment: 'eastus2' })).toBe(0);
    expect(sampleValue(samples, 'polyglyph_deployment_quota_images_per_minute', { deployment: 'swedencentral' })).toBe(6);
    expect(sampleValue(samples, 'polyglyph_deployment_quota_images_per_minute', { deployment: 'eastus2' })).toBe(12);

    metrics.generated({ deployment: 'swedencentral', model: 'gpt-image-2', images: 2, seconds: 42, usage: { inputTokens: 100, outputTokens: 1_000_000 } });
    metrics.generated({ deployment: 'swedencentral', model: 'gpt-image-2', images: 1, seconds: 7, usage: undefined });
    metrics.rateLimited({ deployment: 'eastus2' });
    metrics.retrying({ code: 'http_500', deployment: 'eastus2' });
    metrics.retrying({ code: 'ECONNREFUSED', deployment: '' });
    metrics.uploaded({ seconds: 0.3, bytes: 1_500_000 });
    metrics.itemFailed({ code: 'content_policy_violation' });

    samples = await scrape(metrics);
    expect(sampleValue(samples, 'polyglyph_images_generated_total', { deployment: 'swedencentral', model: 'gpt-image-2' })).toBe(3);
    expect(sampleValue(samples, 'polyglyph_image_api_duration_seconds_count', { deployment: 'swedencentral' })).toBe(2);
    expect(sampleValue(samples, 'polyglyph_image_api_duration_seconds_sum', { deployment: 'swedencentral' })).toBe(49);
    expect(sampleValue(samples, 'polyglyph_image_api_duration_seconds_bucket', { deployment: 'swedencentral', le: '10' })).toBe(1);
    expect(sampleValue(samples, 'polyglyph_image_api_duration_seconds_bucket', { deployment: 'swedencentral', le: '300' })).toBe(2);
    expect(sampleValue(samples, 'polyglyph_rate_limited_total', { deployment: 'eastus2' })).toBe(1);
    expect(sampleValue(samples, 'polyglyph_rate_limited_total', { deployment: 'swedencentral' })).toBe(0);
    expect(sampleValue(samples, 'polyglyph_retries_total', { code: 'http_500', deployment: 'eastus2' })).toBe(1);
    expect(sampleValue(samples, 'polyglyph_retries_total', { code: 'ECONNREFUSED', deployment: '' })).toBe(1);
    expect(sampleValue(samples, 'polyglyph_blob_upload_duration_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'polyglyph_blob_uploaded_bytes_total')).toBe(1_500_000);
    expect(sampleValue(samples, 'polyglyph_items_failed_total', { code: 'content_policy_violation' })).toBe(1);
    // $30 per million output tokens + 100 text input tokens at $5 per million = 30,000,500 micro-dollars.
    expect(sampleValue(samples, 'polyglyph_cost_microdollars_total', { deployment: 'swedencentral', model: 'gpt-image-2' })).toBe(30_000_500);
  });

  it('reads the queue job counts at scrape time, and scrapes without them when the queue does not answer', async () => {
    let counts: Promise<Record<string, number>> = Promise.resolve({ active: 2, waiting: 5, delayed: 1 });
    const errors: unknown[] = [];
    const metrics = new PrometheusWorkerMetrics({ queue: { name: 'images', getJobCounts: () => counts }, queueTimeoutMs: 50, defaultMetrics: false, onCollectError: (error) => errors.push(error) });
    let samples = await scrape(metrics);
    expect(sampleValue(samples, 'polyglyph_queue_jobs', { queue: 'images', state: 'waiting' })).toBe(5);
    expect(sampleValue(samples, 'polyglyph_queue_jobs', { queue: 'images', state: 'active' })).toBe(2);

    counts = new Promise(() => undefined); // Redis away: the command waits forever
    samples = await scrape(metrics);
    expect(sampleValue(samples, 'polyglyph_queue_jobs', { state: 'waiting' })).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});

describe('health server', () => {
  it('serves /metrics as Prometheus text and /livez while the process runs', async () => {
    const metrics = new PrometheusWorkerMetrics({ deployments: DEPLOYMENTS });
    const { url } = await serve(metrics);
    const scraped = await fetch(`${url}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    const samples = parseSamples(await scraped.text());
    expect(sampleValue(samples, 'polyglyph_deployment_quota_images_per_minute', { deployment: 'eastus2' })).toBe(12);
    expect(samples.some((sample) => sample.name === 'process_cpu_user_seconds_total')).toBe(true);

    const live = await fetch(`${url}/livez`);
    expect(live.status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/readyz`, { method: 'POST' })).status).toBe(405);
  });

  it('/readyz is 200 when every check passes, and 503 naming the check that failed, its secrets scrubbed', async () => {
    let storageUp = true;
    const { url } = await serve(new PrometheusWorkerMetrics({ defaultMetrics: false }), {
      redis: () => Promise.resolve(),
      storage: () => (storageUp ? Promise.resolve() : Promise.reject(new Error('connect ECONNREFUSED https://acct.blob.core.windows.net/?sig=c2VjcmV0'))),
    });
    let ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: { ok: true }, storage: { ok: true } } });

    storageUp = false;
    ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; failed: string[]; checks: { storage: { error: string } } };
    expect(body).toMatchObject({ status: 'unavailable', failed: ['storage'], checks: { redis: { ok: true }, storage: { ok: false } } });
    expect(body.checks.storage.error).toContain('ECONNREFUSED');
    expect(body.checks.storage.error).not.toContain('c2VjcmV0');
  });

  it('/readyz does not wait for a check that hangs', async () => {
    const { url } = await serve(new PrometheusWorkerMetrics({ defaultMetrics: false }), { redis: () => Promise.resolve(), worker: () => new Promise<void>(() => undefined) }, 200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ failed: ['worker'], checks: { worker: { ok: false, error: 'worker did not answer within 200 ms' } } });
  });

  it('says which port is taken when two workers on one host ask for the same one', async () => {
    const metrics = new PrometheusWorkerMetrics({ defaultMetrics: false });
    const { port } = await serve(metrics);
    await expect(startHealthServer({ port, registry: metrics.registry, checks: {} })).rejects.toThrow(/cannot serve health and metrics on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
  });
});
