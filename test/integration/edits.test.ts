import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { validateManifest } from '../../src/manifest/validate-manifest.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { readRows, silentLogger, testConfig, waitForRun } from '../helpers/pipeline.js';
import { encodedImage } from '../helpers/png.js';
import { startServices } from '../helpers/services.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let masterServer: Server;
let masterUrl: string;
let masterDownloads = 0;
let dir: string;

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 5 });
  await api.listen();
  dir = await mkdtemp(join(tmpdir(), 'pg-edits-'));
  await writeFile(join(dir, 'master.png'), await encodedImage(1536, 1024, 'png'));
  const remote = await encodedImage(1024, 1024, 'jpeg');
  masterServer = createServer((_request, response) => {
    masterDownloads += 1;
    response.writeHead(200, { 'content-type': 'image/jpeg' }).end(remote);
  });
  await new Promise<void>((resolve) => masterServer.listen(0, '127.0.0.1', resolve));
  masterUrl = `http://127.0.0.1:${(masterServer.address() as AddressInfo).port}/masters/banner-en.jpg`;
});
afterAll(async () => {
  await api?.close();
  masterServer?.close();
  await services?.stop();
});

describe('localizing a master creative (images edits)', () => {
  it('sends each master through the edits endpoint, fetched once per run however many locales use it', async () => {
    const manifest = join(dir, 'masters.csv');
    await writeFile(
      manifest,
      [
        'id,message,locales,size,source_image',
        'hero,Spring Sale,ja;ko;hi,1536x1024,master.png',
        `banner,Free shipping,bn;zh-Hans,1024x1024,${masterUrl}`,
        `banner-2,Free returns,zh-Hant,1024x1024,${masterUrl}`,
        'plain,No master here,ja,1024x1024,',
      ].join('\n'),
    );
    const config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('edits') });
    const runtime = await openWorkerRuntime(config, silentLogger);
    const worker = createImageWorker(runtime, { concurrency: 4, prefix: config.queuePrefix });
    try {
      api.resetStats();
      masterDownloads = 0;
      const { runId } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath: manifest,
        defaults: manifestDefaults(config),
        model: 'gpt-image-2',
        attempts: 2,
        backoffMs: 10,
        masterStore: runtime.masters,
      });
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ total: 7, imagesCreated: 7, itemsFailed: 0 });
      expect(masterDownloads).toBe(1); // two rows, three locales, one download

      // The six master rows went to images/edits with the localization prompt; the plain row to images/generations.
      const log = api.stats().requestLog;
      const edits = log.filter((entry) => entry.operation === 'edits');
      expect(edits).toHaveLength(6);
      expect(edits.every((entry) => entry.prompt.startsWith('This image is a master creative'))).toBe(true);
      expect(log.filter((entry) => entry.operation === 'generations').map((entry) => entry.prompt.startsWith('This image is a master creative'))).toEqual([false]);
      const rows = await readRows(runtime.runStore, runId);
      expect(rows.find((row) => row.id === 'hero' && row.locale === 'ja')?.size).toBe('1536x1024');
    } finally {
      await worker.close();
      await runtime.close();
    }
  });

  it('validate reports a source image that does not exist, with its line and column', async () => {
    const manifest = join(dir, 'bad-master.csv');
    await writeFile(manifest, 'id,message,locales,source_image\nhero,Spring Sale,ja,missing.png\nok,Fine,ko,ftp://example.com/x.png\n');
    const summary = await validateManifest(manifest, { size: '1024x1024', quality: 'medium', format: 'png', variants: 1 });
    expect(summary.issues.map((issue) => [issue.line, issue.column, issue.code])).toEqual([
      [2, 21, 'invalid-source-image'],
      [3, 12, 'invalid-source-image'],
    ]);
    expect(summary.issues[0]!.message).toContain('missing.png does not exist');
  });
});
