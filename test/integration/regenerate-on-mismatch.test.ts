import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { regenerateSettings } from '../../src/cli/regenerate-settings.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { streamReport } from '../../src/runs/write-report.js';
import { sidecarBlobName } from '../../src/storage/blob-name.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { createTextCheckWorker, releaseClaims, textReaderFor } from '../../jobs/text-check-worker.js';
import type { TextCheckJobData } from '../../src/queue/text-check-job.js';
import { isRunComplete } from '../../src/runs/run-store.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { readRows, silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';
import type { Config } from '../../src/config/settings.js';
import type { ReportRow } from '../../src/runs/report-row.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let manifest: string;

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 5 });
  await api.listen();
  const dir = await mkdtemp(join(tmpdir(), 'pg-regen-'));
  manifest = join(dir, 'two.csv');
  // Two Korean images (short, OCR reads them quickly), the smallest size and quality.
  await writeFile(manifest, ['id,message,locales,quality,size,text:ko', 'sale,Spring sale,ko,low,1024x1024,봄맞이 세일 할인', 'ship,Free shipping,ko,low,1024x1024,무료 배송'].join('\n'));
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
});

interface Outcome {
  rows: ReportRow[];
  report: { runId: string; regenerations?: Array<Record<string, unknown>>; rows: ReportRow[] };
  garbledRequests: number;
  requests: number;
  textNeedsReview: number;
  finished: boolean;
  /** The report the finishing worker published to storage. */
  published: { rows: ReportRow[] };
  runtime: Awaited<ReturnType<typeof openWorkerRuntime>>;
  close: () => Promise<void>;
}

/**
 * One run of the two-image manifest with the first image request the stand-in answers garbled
 * (injectFaults: the request log says which), the worker's own n `workerLimit`, and what the run's
 * producer recorded (`enqueue`'s --regenerate-on-mismatch and --max-cost).
 */
async function runWithOneGarbled(workerLimit: number, producer: { regenerateOnMismatch?: number; maxCostUsd?: number }): Promise<Outcome> {
  const config: Config = testConfig(
    { redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('regen') },
    { POLYGLYPH_REGENERATE_ON_MISMATCH: String(workerLimit), POLYGLYPH_TEXT_CHECK_CONCURRENCY: '1' },
  );
  const runtime = await openWorkerRuntime(config, silentLogger);
  const worker = createImageWorker({ ...runtime, checkTextOn: runtime.textCheckQueue }, { concurrency: 2, prefix: config.queuePrefix });
  const checker = createTextCheckWorker({ ...runtime, queue: runtime.textCheckQueue!, reader: textReaderFor(config)!, config, regenerate: regenerateSettings(config, runtime.queue) });
  const close = async (): Promise<void> => {
    await worker.close();
    await checker.close();
    await runtime.close();
  };
  try {
    api.resetStats();
    api.injectFaults(['garbled-text']);
    const { runId } = await enqueueManifest(runtime, { runId: newRunId(), manifestPath: manifest, defaults: manifestDefaults(config), model: 'gpt-image-2', attempts: 2, backoffMs: 10, ...producer });
    await waitForRun(runtime.runStore, runId, 100_000);
    await waitUntil(async () => (await runtime.runStore.get(runId))?.reportBlob !== undefined, `report of ${runId} published`, 60_000);
    const run = (await runtime.runStore.get(runId))!;
    const log = api.stats().requestLog;
    const chunks: string[] = [];
    const out = new PassThrough();
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    await streamReport(runtime.runStore, run, 'json', out);
    return {
      rows: await readRows(runtime.runStore, runId),
      report: JSON.parse(chunks.join('')) as Outcome['report'],
      garbledRequests: log.filter((entry) => entry.garbled.length > 0).length,
      requests: log.length,
      textNeedsReview: run.textNeedsReview,
      finished: run.finishedAt !== undefined,
      published: JSON.parse((await runtime.blobStore.download(run.reportBlob!)).toString('utf8')) as Outcome['published'],
      runtime,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

describe('--regenerate-on-mismatch', () => {
  it('n=1: the garbled image gets one new variant, rendered clean, checked ok and marked as its regeneration; the run finishes after it', async () => {
    const outcome = await runWithOneGarbled(1, {});
    try {
      expect(outcome.garbledRequests).toBe(1);
      // Two items plus the regeneration: the stand-in garbled only the first request.
      expect(outcome.requests).toBe(3);
      const flagged = outcome.rows.filter((row) => row.textStatus === 'needs_review');
      expect(flagged).toHaveLength(1);
      const original = flagged[0]!;
      expect(original.variant).toBe(1);
      const item = outcome.rows.filter((row) => row.id === original.id).sort((a, b) => Number(a.variant) - Number(b.variant));
      expect(item.map((row) => [row.variant, row.textStatus])).toEqual([
        [1, 'needs_review'],
        [2, 'ok'],
      ]);
      expect(item[1]!.regenerationOf).toBe(original.blobName);
      const other = outcome.rows.filter((row) => row.id !== original.id);
      expect(other.map((row) => [row.variant, row.textStatus, row.regenerationOf])).toEqual([[1, 'ok', undefined]]);
      // Counted once though the item was checked twice; finished (report written) after the new variant.
      expect(outcome.textNeedsReview).toBe(1);
      expect(outcome.finished).toBe(true);
      // The report the worker published when the run finished already has the checked new variant.
      expect(outcome.published.rows.find((row) => row.id === original.id && row.variant === 2)).toMatchObject({ textStatus: 'ok', regenerationOf: original.blobName });
      expect(outcome.report.regenerations).toEqual([{ blobName: original.blobName, id: original.id, locale: 'ko', model: 'gpt-image-2', variant: 1, newVariant: 2 }]);
      const sidecar = JSON.parse((await outcome.runtime.blobStore.download(sidecarBlobName(item[1]!.blobName))).toString('utf8')) as { regenerationOf?: string; textCheck: { status: string } };
      expect(sidecar).toMatchObject({ regenerationOf: original.blobName, textCheck: { status: 'ok' } });
      // A check job running twice claims nothing twice: the same flagged image finds its claim, the
      // item's other variant finds the limit reached.
      const runId = outcome.report.runId;
      const state = { blobName: original.blobName, id: original.id, locale: 'ko', model: 'gpt-image-2', variant: 1 };
      expect(await outcome.runtime.runStore.claimRegeneration(runId, state, 1)).toMatchObject({ outcome: 'done' });
      expect(await outcome.runtime.runStore.claimRegeneration(runId, { ...state, blobName: item[1]!.blobName, variant: 2 }, 1)).toEqual({ outcome: 'limit', count: 1 });
      expect((await outcome.runtime.runStore.get(runId))?.regenerating).toBe(0);
    } finally {
      await outcome.close();
    }
  }, 150_000);

  it('n=0 (the default): nothing is regenerated, the garbled image stays needs_review', async () => {
    const outcome = await runWithOneGarbled(0, {});
    try {
      expect(outcome.garbledRequests).toBe(1);
      expect(outcome.requests).toBe(2);
      expect(outcome.rows.map((row) => row.variant)).toEqual([1, 1]);
      expect(outcome.rows.filter((row) => row.textStatus === 'needs_review')).toHaveLength(1);
      expect(outcome.report.regenerations).toBeUndefined();
      expect(outcome.finished).toBe(true);
    } finally {
      await outcome.close();
    }
  }, 150_000);

  it('over --max-cost (as enqueue recorded it with n=1): the regeneration is refused and recorded, the run finishes', async () => {
    const outcome = await runWithOneGarbled(0, { regenerateOnMismatch: 1, maxCostUsd: 0.001 });
    try {
      expect(outcome.garbledRequests).toBe(1);
      expect(outcome.requests).toBe(2);
      const flagged = outcome.rows.filter((row) => row.textStatus === 'needs_review');
      expect(flagged).toHaveLength(1);
      expect(outcome.rows.map((row) => row.variant)).toEqual([1, 1]);
      expect(outcome.report.regenerations).toHaveLength(1);
      expect(outcome.report.regenerations![0]).toMatchObject({ blobName: flagged[0]!.blobName, variant: 1 });
      expect(outcome.report.regenerations![0]!.refused).toMatch(/over POLYGLYPH_MAX_COST \$0\.00/);
      expect(outcome.report.regenerations![0]!.newVariant).toBeUndefined();
      expect(outcome.finished).toBe(true);
    } finally {
      await outcome.close();
    }
  }, 150_000);

  it('a check job that failed for good releases its claim as refused: the run is held open until then, finishes then, once', async () => {
    const config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('regen') });
    const runtime = await openWorkerRuntime(config, silentLogger);
    try {
      const runId = newRunId();
      await runtime.runStore.create({
        id: runId,
        manifest: 'm.csv',
        manifestPath: manifest,
        manifestSha256: 'x',
        origin: 'test',
        model: 'gpt-image-2',
        imagesPerMinute: 1,
        startedAt: Date.now(),
        imagesByLocale: {},
      });
      const row = { id: 'sale', locale: 'ko', variant: 1, model: 'gpt-image-2', blobName: 'c/ko/sale/v1.png' } as ReportRow;
      expect(await runtime.runStore.claimRegeneration(runId, { blobName: row.blobName, id: 'sale', locale: 'ko', model: 'gpt-image-2', variant: 1, newVariant: 2 }, 1)).toEqual({
        outcome: 'new',
        count: 1,
      });
      // Every item settled (none), all enqueued: the claim alone holds the run open.
      expect(await runtime.runStore.markEnqueued(runId, Date.now())).toBe(false);
      expect(isRunComplete((await runtime.runStore.get(runId))!)).toBe(false);
      const data = { v: 1, itemJobId: 'item', image: { runId }, rows: [{ ...row, variant: '', blobName: '' }, row], counts: {} } as unknown as TextCheckJobData;
      expect(await releaseClaims(runtime.runStore, data, 'stalled too often')).toEqual([runId]);
      expect(await releaseClaims(runtime.runStore, data, 'stalled too often')).toEqual([]);
      const run = (await runtime.runStore.get(runId))!;
      expect(isRunComplete(run)).toBe(true);
      expect(run.regenerating).toBe(0);
      expect(await runtime.runStore.regenerations(runId)).toEqual([expect.objectContaining({ blobName: row.blobName, released: true, refused: 'the text check failed: stalled too often' })]);
    } finally {
      await runtime.close();
    }
  }, 60_000);
});
