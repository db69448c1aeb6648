import { BlobServiceClient, type BlobItem, type ContainerClient } from '@azure/storage-blob';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { loadDeployments } from '../../src/deployments/deployment-spec.js';
import { runModels } from '../../src/deployments/run-models.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { readRows, silentLogger, testConfig, waitForRun } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';

const MODELS = ['gpt-image-2', 'MAI-Image-2e'];
/** Two rows; the second asks for a size gpt-image-2 takes as it is and MAI normalises. */
const MANIFEST = 'id,message,locales,size,text:ja\nhero,Spring Sale,ja,,春のセール\npromo,Free shipping,ko,1536x1024,\n';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let dir: string;

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ deployments: MODELS, latencyMs: 5 });
  await api.listen();
  dir = await mkdtemp(join(tmpdir(), 'pg-models-'));
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
});

/** A pool of one deployment per model, both on the stand-in; `env` adds POLYGLYPH_MODELS etc. */
async function setup(env: Record<string, string>, options: { fetch?: typeof fetch; container?: string; models?: string[] } = {}) {
  const file = join(dir, `deployments-${newRunId()}.json`);
  await writeFile(
    file,
    JSON.stringify({ deployments: (options.models ?? MODELS).map((model) => ({ name: model.toLowerCase(), endpoint: api.url, deployment: model, model, imagesPerMinute: 6000, apiKey: 'test-key' })) }),
  );
  const container = options.container ?? uniqueContainerName('models');
  const config: Config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container }, { POLYGLYPH_DEPLOYMENTS_FILE: file, ...env });
  const runtime: WorkerRuntime = await openWorkerRuntime(config, silentLogger, options.fetch ? { fetch: options.fetch } : {});
  const blobs: ContainerClient = BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container);
  const specs = loadDeployments(config);
  const enqueue = (manifestPath: string) =>
    enqueueManifest(runtime, {
      runId: newRunId(),
      manifestPath,
      defaults: manifestDefaults(config, { warn: () => undefined }),
      model: runModels(config, specs).defaultModel,
      deployments: specs,
      attempts: config.attempts,
      backoffMs: config.backoffMs,
    });
  const worker = createImageWorker(runtime, { concurrency: 4, prefix: config.queuePrefix });
  const close = async (): Promise<void> => {
    await worker.close();
    await runtime.close();
  };
  return { config, runtime, blobs, enqueue, close, container };
}

async function manifest(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function rowsOf(runtime: WorkerRuntime, runId: string): Promise<ReportRow[]> {
  const rows = await readRows(runtime.runStore, runId);
  return rows.sort((a, b) => `${a.id} ${a.model}`.localeCompare(`${b.id} ${b.model}`));
}

async function images(blobs: ContainerClient, prefix: string): Promise<BlobItem[]> {
  const found: BlobItem[] = [];
  for await (const blob of blobs.listBlobsFlat({ includeMetadata: true, includeTags: true, prefix })) if (!blob.name.endsWith('.json')) found.push(blob);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

describe('one manifest, two models (--models gpt-image-2,MAI-Image-2e)', () => {
  it('makes every item once per model, each in its own API shape, tagged and reported per model; a re-run pays nothing', async () => {
    const { runtime, blobs, enqueue, close } = await setup({ POLYGLYPH_MODELS: MODELS.join(',') });
    const path = await manifest('compare.csv', MANIFEST);
    try {
      api.resetStats();
      const { runId, jobs, summary } = await enqueue(path);
      expect(jobs).toBe(4);
      expect(summary).toMatchObject({ items: 2, images: 4, imagesByLocale: { ja: 2, ko: 2 } });
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ total: 4, imagesCreated: 4, itemsFailed: 0, model: 'gpt-image-2, MAI-Image-2e' });

      // What each API received: gpt-image-2 a size string and its output parameters, MAI width and height only.
      const sent = api
        .stats()
        .requestLog.map((entry) => ({ deployment: entry.deployment, parameters: entry.parameters }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      expect(sent).toEqual([
        { deployment: 'gpt-image-2', parameters: { size: '1024x1024', quality: 'medium', output_format: 'png', n: 1 } },
        { deployment: 'gpt-image-2', parameters: { size: '1536x1024', quality: 'medium', output_format: 'png', n: 1 } },
        { deployment: 'MAI-Image-2e', parameters: { model: 'MAI-Image-2e', width: 1024, height: 1024 } },
        { deployment: 'MAI-Image-2e', parameters: { model: 'MAI-Image-2e', width: 1248, height: 832 } },
      ]);

      const rows = await rowsOf(runtime, runId);
      expect(rows.map((row) => [row.id, row.locale, row.model, row.deployment, row.status, row.size, row.requestedSize])).toEqual([
        ['hero', 'ja', 'gpt-image-2', 'gpt-image-2', 'created', '1024x1024', '1024x1024'],
        ['hero', 'ja', 'MAI-Image-2e', 'mai-image-2e', 'created', '1024x1024', '1024x1024'],
        ['promo', 'ko', 'gpt-image-2', 'gpt-image-2', 'created', '1536x1024', '1536x1024'],
        ['promo', 'ko', 'MAI-Image-2e', 'mai-image-2e', 'created', '1248x832', '1536x1024'],
      ]);

      const stored = await images(blobs, 'compare/');
      expect(stored.map((blob) => blob.name.replace(/[0-9a-f]{16}/, 'HASH'))).toEqual([
        'compare/ja/hero/gpt-image-2/HASH-v1.png',
        'compare/ja/hero/mai-image-2e/HASH-v1.png',
        'compare/ko/promo/gpt-image-2/HASH-v1.png',
        'compare/ko/promo/mai-image-2e/HASH-v1.png',
      ]);
      const mai = stored.find((blob) => blob.name.startsWith('compare/ko/promo/mai-image-2e/'));
      expect(mai?.metadata).toMatchObject({ model: 'MAI-Image-2e', deployment: 'mai-image-2e', size: '1248x832', requestedsize: '1536x1024', format: 'png' });
      expect(mai?.tags).toEqual({ locale: 'ko', campaign: 'compare', messageid: 'promo', runid: runId, model: 'MAI-Image-2e' });
      const maiImages: string[] = [];
      for await (const found of blobs.findBlobsByTags(`campaign='compare' AND model='MAI-Image-2e'`)) maiImages.push(found.name);
      expect(maiImages.sort()).toEqual(stored.filter((blob) => blob.name.includes('/mai-image-2e/')).map((blob) => blob.name));

      api.resetStats();
      const rerun = await waitForRun(runtime.runStore, (await enqueue(path)).runId);
      expect(rerun).toMatchObject({ imagesCreated: 0, imagesExisting: 4, itemsFailed: 0 });
      expect(api.stats().requests).toBe(0);
    } finally {
      await close();
    }
  });

  it('takes the models from a model column, and finds the image an earlier run made before it named models', async () => {
    const container = uniqueContainerName('models');
    // First, a run as every run was before models could be named: one model, no model folder.
    const before = await setup({ POLYGLYPH_CAMPAIGN: 'spring' }, { container, models: ['gpt-image-2'] });
    try {
      const { runId } = await before.enqueue(await manifest('single.csv', 'id,message,locales\nhero,Spring Sale,ja\n'));
      await waitForRun(before.runtime.runStore, runId);
    } finally {
      await before.close();
    }
    const { runtime, blobs, enqueue, close } = await setup({ POLYGLYPH_CAMPAIGN: 'spring' }, { container });
    try {
      api.resetStats();
      const { runId, jobs } = await enqueue(await manifest('column.csv', 'id,message,locales,model\nhero,Spring Sale,ja,gpt-image-2;MAI-Image-2e\npromo,Free shipping,ko,MAI-Image-2e\n'));
      expect(jobs).toBe(3);
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ total: 3, imagesCreated: 2, imagesExisting: 1, itemsFailed: 0 });
      const rows = await rowsOf(runtime, runId);
      expect(rows.map((row) => `${row.id} ${row.model} ${row.status}`)).toEqual(['hero gpt-image-2 exists', 'hero MAI-Image-2e created', 'promo MAI-Image-2e created']);
      // The gpt-image-2 image is the earlier run's (same inputs, same hash), found under its old name: not paid again.
      expect(rows[0]!.blobName).toMatch(/^spring\/ja\/hero\/[0-9a-f]{16}-v1\.png$/);
      expect(api.stats().requestLog.map((entry) => entry.deployment)).toEqual(['MAI-Image-2e', 'MAI-Image-2e']);
      expect((await images(blobs, 'spring/')).map((blob) => blob.name.replace(/[0-9a-f]{16}/, 'HASH'))).toEqual([
        'spring/ja/hero/HASH-v1.png',
        'spring/ja/hero/mai-image-2e/HASH-v1.png',
        'spring/ko/promo/mai-image-2e/HASH-v1.png',
      ]);
    } finally {
      await close();
    }
  });

  it('keeps the MAI images delivered before a failure and generates only the rest on the retry', async () => {
    // MAI answers one image per request: the second request of a 3-variant item fails once with a 500.
    let maiCalls = 0;
    const flaky: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (url.includes('/mai/v1/') && ++maiCalls === 2)
        return Promise.resolve(new Response(JSON.stringify({ error: { code: 'InternalServerError', message: 'boom' } }), { status: 500, headers: { 'content-type': 'application/json' } }));
      return fetch(input, init);
    };
    const { runtime, enqueue, close } = await setup({ POLYGLYPH_MODELS: 'MAI-Image-2e' }, { fetch: flaky });
    try {
      api.resetStats();
      const { runId } = await enqueue(await manifest('variants.csv', 'id,message,locales,variants\nhero,Spring Sale,ja,3\n'));
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ imagesCreated: 3, itemsFailed: 0 });
      // 1 image before the failure (staged, then uploaded) + 2 on the retry: three paid, not four.
      expect(api.stats().imagesGenerated).toBe(3);
      expect((await rowsOf(runtime, runId)).map((row) => `${row.variant} ${row.status} ${row.attempts}`)).toEqual(['1 created 2', '2 created 2', '3 created 2']);
    } finally {
      await close();
    }
  });
});
