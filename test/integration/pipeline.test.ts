import { BlobServiceClient, type BlobItem, type ContainerClient } from '@azure/storage-blob';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageWorker } from '../../jobs/image-worker.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import type { Config } from '../../src/config/settings.js';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest, ManifestInvalidError } from '../../src/queue/enqueue-manifest.js';
import type { ImageJobData } from '../../src/queue/image-job.js';
import { newRunId } from '../../src/runs/run-id.js';
import { writeReport } from '../../src/runs/write-report.js';
import { startServices } from '../helpers/services.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { readRows, silentLogger, testConfig, waitForRun } from '../helpers/pipeline.js';

const SAMPLE = 'samples/spring-campaign.csv';
/** (message, locale, variant) combinations in the sample: see samples/spring-campaign.csv. */
const SAMPLE_IMAGES = 19;
const SAMPLE_JOBS = 17;

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

async function setup(extra: Record<string, string> = {}) {
  const container = uniqueContainerName('pipe');
  const config: Config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container }, extra);
  const runtime: WorkerRuntime = await openWorkerRuntime(config, silentLogger);
  const blobs: ContainerClient = BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container);
  const enqueue = (manifestPath: string, runId = newRunId()) =>
    enqueueManifest(runtime, { runId, manifestPath, defaults: manifestDefaults(config), model: config.deployment, attempts: config.attempts, backoffMs: config.backoffMs });
  const startWorker = () => createImageWorker(runtime, { concurrency: 4, prefix: config.queuePrefix });
  return { config, runtime, blobs, enqueue, startWorker };
}

describe('manifest -> queue -> image API -> blob storage', () => {
  it('enqueueing the same manifest twice adds nothing the second time', async () => {
    const { runtime, enqueue } = await setup();
    try {
      const first = await enqueue(SAMPLE);
      expect(first.jobs).toBe(SAMPLE_JOBS);
      const counts = await runtime.queue.getJobCounts('wait', 'prioritized', 'delayed');
      await enqueue(SAMPLE);
      expect(await runtime.queue.getJobCounts('wait', 'prioritized', 'delayed')).toEqual(counts);
      expect(counts.wait).toBe(SAMPLE_JOBS);
    } finally {
      await runtime.close();
    }
  });

  it('produces one blob per (message, locale, variant) with content type, metadata, tags, sidecar and report', async () => {
    const { runtime, blobs, enqueue, startWorker } = await setup();
    const worker = startWorker();
    try {
      api.resetStats();
      const { runId } = await enqueue(SAMPLE);
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ total: SAMPLE_JOBS, settled: SAMPLE_JOBS, imagesCreated: SAMPLE_IMAGES, imagesExisting: 0, itemsFailed: 0 });

      const images: BlobItem[] = [];
      const sidecars: BlobItem[] = [];
      for await (const blob of blobs.listBlobsFlat({ includeMetadata: true, includeTags: true, prefix: 'spring-campaign/' })) {
        (blob.name.endsWith('.json') ? sidecars : images).push(blob);
      }
      // the worker that finished the run writes its report to storage, once
      for (let i = 0; i < 100 && !(await runtime.runStore.get(runId))?.reportBlob; i++) await sleep(50);
      expect((await runtime.runStore.get(runId))?.reportBlob).toBe(`reports/${runId}.json`);
      const reports: Array<{ name: string; bytes: number }> = [];
      for await (const blob of blobs.listBlobsFlat({ prefix: 'reports/' })) reports.push({ name: blob.name, bytes: blob.properties.contentLength ?? 0 });
      // The report, and beside it one contact sheet per locale: a PNG with a thumbnail per image.
      const sheets = ['ja', 'ko', 'hi', 'bn', 'zh-Hans', 'zh-Hant'].map((locale) => `reports/${runId}/${locale}.png`);
      expect(reports.map((report) => report.name).sort()).toEqual([`reports/${runId}.csv`, `reports/${runId}.json`, ...sheets].sort());
      const sheet = await blobs.getBlobClient(`reports/${runId}/hi.png`).downloadToBuffer();
      const { format, width, height } = await sharp(sheet).metadata();
      // hi has four images in the sample: one row of four 300-px thumbnails with captions.
      expect({ format, width, height }).toEqual({ format: 'png', width: 1290, height: 48 + 406 + 10 });
      expect(sheet.length).toBeGreaterThan(50_000);
      expect(images).toHaveLength(SAMPLE_IMAGES);
      expect(sidecars).toHaveLength(SAMPLE_IMAGES);
      expect(api.stats().imagesGenerated).toBe(SAMPLE_IMAGES);

      const hero = images.find((b) => b.name.startsWith('spring-campaign/ja/hero-banner/'));
      expect(hero?.name).toMatch(/^spring-campaign\/ja\/hero-banner\/[0-9a-f]{16}-v1\.png$/);
      expect(hero?.properties.contentType).toBe('image/png');
      expect(hero?.metadata).toMatchObject({
        locale: 'ja',
        script: 'Jpan',
        messageid: 'hero-banner',
        campaign: 'spring-campaign',
        runid: runId,
        model: 'gpt-image-2',
        size: '1024x1024',
        quality: 'high',
        format: 'png',
        variant: '1',
      });
      expect(hero?.metadata?.inputsha256).toMatch(/^[0-9a-f]{64}$/);
      expect(hero?.tags).toEqual({ locale: 'ja', campaign: 'spring-campaign', messageid: 'hero-banner', runid: runId, model: 'gpt-image-2' });
      for (const image of images) expect(Object.values(image.metadata ?? {}).every((v) => /^[\x20-\x7e]*$/.test(v))).toBe(true);

      const sidecar = JSON.parse((await blobs.getBlobClient(`${hero!.name}.json`).downloadToBuffer()).toString('utf8')) as Record<string, unknown>;
      expect(sidecar).toMatchObject({ message: 'Spring Sale: up to 50% off', localizedText: '春のセール 最大50%オフ', textSource: 'manifest', locale: 'ja', variant: 1 });
      expect(sidecar.prompt).toContain('"春のセール 最大50%オフ"');
      expect(sidecar.usage).toBeTruthy();

      const variantBlobs = images.filter((b) => b.name.startsWith('spring-campaign/hi/new-arrivals/'));
      expect(variantBlobs.map((b) => b.name.slice(-6)).sort()).toEqual(['v1.png', 'v2.png']);
      const japanese: string[] = [];
      for await (const found of blobs.findBlobsByTags(`locale='ja' AND campaign='spring-campaign'`)) japanese.push(found.name);
      expect(japanese).toHaveLength(3); // hero-banner, free-shipping and app-download (ja-JP)

      const dir = await mkdtemp(join(tmpdir(), 'pg-report-'));
      const report = await writeReport(runtime.runStore, run, dir);
      expect(report.rows).toBe(SAMPLE_IMAGES);
      const json = JSON.parse(await readFile(report.jsonPath, 'utf8')) as { rows: Array<Record<string, unknown>> };
      expect(json.rows.filter((r) => r.status === 'created')).toHaveLength(SAMPLE_IMAGES);
      expect(json.rows[0]).toHaveProperty('url');
      const csv = (await readFile(report.csvPath, 'utf8')).trimEnd().split('\r\n');
      expect(csv[0]).toBe(
        'id,locale,variant,status,blobName,url,errorCode,errorMessage,attempts,line,model,deployment,size,requestedSize,requestId,text,textSource,textStatus,textCer,textEngine,readText,regenerationOf',
      );
      expect(csv).toHaveLength(SAMPLE_IMAGES + 1);
    } finally {
      await worker.close();
      await runtime.close();
    }
  });

  it('a re-run of the same manifest skips stored images and calls no API', async () => {
    const { runtime, enqueue, startWorker } = await setup();
    const worker = startWorker();
    try {
      await waitForRun(runtime.runStore, (await enqueue(SAMPLE)).runId);
      api.resetStats();
      const rerun = await waitForRun(runtime.runStore, (await enqueue(SAMPLE)).runId);
      expect(rerun).toMatchObject({ imagesCreated: 0, imagesExisting: SAMPLE_IMAGES, itemsFailed: 0 });
      expect(api.stats().requests).toBe(0);
    } finally {
      await worker.close();
      await runtime.close();
    }
  });

  it('a content-filter refusal ends its item at once with its code in the report; the rest succeed', async () => {
    const { runtime, enqueue, startWorker } = await setup();
    const dir = await mkdtemp(join(tmpdir(), 'pg-manifest-'));
    const manifest = join(dir, 'refusal.csv');
    await writeFile(manifest, 'id,message,locales\nok-1,Hello world,ja\nbad-1,Something [blocked] here,ko\n');
    const worker = startWorker();
    try {
      api.resetStats();
      const { runId } = await enqueue(manifest);
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ imagesCreated: 1, itemsFailed: 1 });
      const rows = await readRows(runtime.runStore, runId);
      const failed = rows.find((r) => r.status === 'failed');
      expect(failed).toMatchObject({ id: 'bad-1', locale: 'ko', variant: '', attempts: 1 });
      expect(failed?.errorCode).toMatch(/content_?(policy_violation|filter)|contentFilter/i);
      expect(api.stats().byStatus['400']).toBe(1); // refused once, never retried
    } finally {
      await worker.close();
      await runtime.close();
    }
  });

  it('sends normalised and routed sizes with every output parameter, and keeps the requested size beside the delivered one', async () => {
    const { runtime, blobs, enqueue, startWorker } = await setup();
    const dir = await mkdtemp(join(tmpdir(), 'pg-manifest-'));
    const manifest = join(dir, 'sizes.csv');
    await writeFile(manifest, 'id,message,locales,size,format,compression,background,moderation\nbig,Big banner,ja,1000x1000,,,,\ntier,Tier banner,ko,small landscape,jpeg,40,opaque,low\n');
    const worker = startWorker();
    try {
      api.resetStats();
      const { runId, summary } = await enqueue(manifest);
      expect(summary).toMatchObject({ errors: 0, warnings: 1 }); // 1000x1000 is normalised, with a warning
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ imagesCreated: 2, itemsFailed: 0 });

      const sent = Object.fromEntries(api.stats().requestLog.map((entry) => [entry.size, entry.parameters]));
      expect(sent['1008x1008']).toEqual({ size: '1008x1008', quality: 'medium', output_format: 'png', n: 1 });
      expect(sent['1248x832']).toEqual({ size: '1248x832', quality: 'medium', output_format: 'jpeg', output_compression: 40, background: 'opaque', moderation: 'low', n: 1 });

      const rows = await readRows(runtime.runStore, runId);
      expect(rows.map((row) => [row.id, row.size, row.requestedSize]).sort()).toEqual([
        ['big', '1008x1008', '1000x1000'],
        ['tier', '1248x832', 'small landscape'],
      ]);

      const metadata: Record<string, Record<string, string> | undefined> = {};
      for await (const blob of blobs.listBlobsFlat({ includeMetadata: true, prefix: 'sizes/' })) if (!blob.name.endsWith('.json')) metadata[blob.name.split('/')[2]!] = blob.metadata;
      expect(metadata.big).toMatchObject({ size: '1008x1008', requestedsize: '1000x1000', format: 'png' });
      expect(metadata.big).not.toHaveProperty('background');
      expect(metadata.tier).toMatchObject({ size: '1248x832', requestedsize: 'small landscape', format: 'jpeg', compression: '40', background: 'opaque', moderation: 'low' });
      const tierBlob = rows.find((row) => row.id === 'tier')!.blobName;
      const sidecar = JSON.parse((await blobs.getBlobClient(`${tierBlob}.json`).downloadToBuffer()).toString('utf8')) as { request: Record<string, unknown> };
      expect(sidecar.request).toEqual({ size: '1248x832', requestedSize: 'small landscape', quality: 'medium', format: 'jpeg', outputCompression: 40, background: 'opaque', moderation: 'low', n: 1 });
    } finally {
      await worker.close();
      await runtime.close();
    }
  });

  it('an image of another size than asked fails its item as image_mismatch, without paying again', async () => {
    const { runtime, enqueue, startWorker } = await setup();
    const dir = await mkdtemp(join(tmpdir(), 'pg-manifest-'));
    const manifest = join(dir, 'mismatch.csv');
    await writeFile(manifest, 'id,message,locales\nm1,Wrong size,hi\n');
    api.resetStats();
    api.injectFaults(['wrong-size']);
    const worker = startWorker();
    try {
      const run = await waitForRun(runtime.runStore, (await enqueue(manifest)).runId);
      expect(run).toMatchObject({ imagesCreated: 0, itemsFailed: 1 });
      const rows = await readRows(runtime.runStore, run.id);
      expect(rows).toEqual([expect.objectContaining({ id: 'm1', status: 'failed', errorCode: 'image_mismatch', attempts: 1 })]);
      expect(api.stats().requests).toBe(1);
    } finally {
      await worker.close();
      await runtime.close();
    }
  });

  it('retries a 500 and a malformed body, then succeeds, paying once', async () => {
    const { runtime, enqueue, startWorker } = await setup();
    const dir = await mkdtemp(join(tmpdir(), 'pg-manifest-'));
    const manifest = join(dir, 'faults.csv');
    await writeFile(manifest, 'id,message,locales\nm1,Autumn deals,bn\n');
    api.resetStats();
    api.injectFaults(['server-error', 'malformed']);
    const worker = startWorker();
    try {
      const { runId } = await enqueue(manifest);
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ imagesCreated: 1, itemsFailed: 0 });
      const rows = await readRows(runtime.runStore, runId);
      const [row] = rows;
      expect(row?.attempts).toBe(3);
    } finally {
      await worker.close();
      await runtime.close();
    }
  });

  it('refuses a manifest with errors and enqueues nothing', async () => {
    const { runtime, enqueue } = await setup();
    const dir = await mkdtemp(join(tmpdir(), 'pg-manifest-'));
    const manifest = join(dir, 'broken.csv');
    await writeFile(manifest, 'id,message,locales\nok,Hello,ja\nbad id,Hello,fr\n');
    try {
      await expect(enqueue(manifest)).rejects.toBeInstanceOf(ManifestInvalidError);
      const queue: Queue<ImageJobData> = runtime.queue;
      expect(await queue.count()).toBe(0);
    } finally {
      await runtime.close();
    }
  });

  it('shares the quota across workers: admissions are paced, not burst, and n images take n slots', async () => {
    const { runtime } = await setup({ POLYGLYPH_IMAGES_PER_MINUTE: '60' });
    const other = await openWorkerRuntime(runtime.config, silentLogger); // a second worker process, in effect
    try {
      const first = await runtime.pool.acquire('gpt-image-2', 1);
      const second = await other.pool.acquire('gpt-image-2', 1);
      expect(first.granted).toBe(true);
      expect(second.granted).toBe(false);
      if (!second.granted) expect(second.waitMs).toBeGreaterThan(0);
      const redis = new Redis(services.redis.url);
      try {
        await redis.del(`${runtime.runStore.keys.base}:deployment:gpt-image-2:tat`);
      } finally {
        redis.disconnect();
      }
      expect((await runtime.pool.acquire('gpt-image-2', 3)).granted).toBe(true);
      const after = await other.pool.acquire('gpt-image-2', 1);
      expect(after.granted).toBe(false);
      if (!after.granted) expect(after.waitMs).toBeGreaterThan(2_000); // 3 slots of 1,000 ms, minus the moment since
    } finally {
      await other.close();
      await runtime.close();
    }
  });
});
