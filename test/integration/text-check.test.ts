import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { formatRun } from '../../src/cli/render-run.js';
import { runPage } from '../../src/dashboard/pages/run-page.js';
import { readPromptText } from '../../src/mock-api/prompt-text.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { sidecarBlobName } from '../../src/storage/blob-name.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { createTextCheckWorker, textReaderFor } from '../../jobs/text-check-worker.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { readRows, silentLogger, testConfig, waitForRun } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let dir: string;

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 5 });
  await api.listen();
  dir = await mkdtemp(join(tmpdir(), 'pg-textcheck-'));
  // A master creative with a colour that cannot come from the stand-in's gradients by chance.
  await writeFile(
    join(dir, 'master.png'),
    await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 250, g: 10, b: 200 } } })
      .png()
      .toBuffer(),
  );
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
});

const TEXTS = {
  ja: '春のセール 最大50%オフ',
  ko: '봄맞이 세일 할인',
  hi: 'वसंत सेल तक की छूट',
  bn: 'বসন্তের সেল ছাড়',
  'zh-Hans': '春季大促 低至五折',
  'zh-Hant': '春季促銷 全館免運',
} as const;

describe('text check: every stored image read back', () => {
  it("reads the stand-in's text in all six scripts, flags the garbled images and only those, and records the check everywhere", async () => {
    const manifest = join(dir, 'six.csv');
    const locales = Object.keys(TEXTS);
    await writeFile(
      manifest,
      [
        `id,message,locales,quality,${locales.map((locale) => `text:${locale}`).join(',')},source_image`,
        `sale,Spring sale,${locales.join(';')},low,${Object.values(TEXTS).join(',')},`,
        'free,Free shipping on every order,ko,low,,,,,,,',
        `edit,Spring sale,ja,low,${TEXTS.ja},,,,,,master.png`,
      ].join('\n'),
    );
    const config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('textcheck') });
    const runtime = await openWorkerRuntime(config, silentLogger);
    const reader = textReaderFor(config)!;
    const worker = createImageWorker({ ...runtime, checkTextOn: runtime.textCheckQueue }, { concurrency: 4, prefix: config.queuePrefix });
    const checker = createTextCheckWorker({ ...runtime, queue: runtime.textCheckQueue!, reader, config });
    try {
      api.resetStats();
      // The first two image requests to arrive draw garbled text; the log says which they were.
      api.injectFaults(['garbled-text', 'garbled-text']);
      const { runId } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath: manifest,
        defaults: manifestDefaults(config),
        model: 'gpt-image-2',
        attempts: 2,
        backoffMs: 10,
        masterStore: runtime.masters,
      });
      const run = await waitForRun(runtime.runStore, runId, 150_000);
      const garbledPrompts = new Set(
        api
          .stats()
          .requestLog.filter((entry) => entry.garbled.length > 0)
          .map((entry) => entry.prompt),
      );
      expect(garbledPrompts.size).toBe(2);

      const rows = await readRows(runtime.runStore, runId);
      expect(rows).toHaveLength(8);
      const promptOf = new Map(
        api
          .stats()
          .requestLog.map((entry) => [
            `${entry.operation === 'edits' ? 'edit' : readPromptText(entry.prompt)?.source === 'literal' ? 'sale' : 'free'}/${readPromptText(entry.prompt)?.locale}`,
            entry.prompt,
          ]),
      );
      for (const row of rows) {
        const garbled = garbledPrompts.has(promptOf.get(`${row.id}/${row.locale}`) ?? '');
        const expected = row.id === 'free' ? 'unverified' : garbled ? 'needs_review' : 'ok';
        expect({ id: row.id, locale: row.locale, status: row.textStatus, read: row.readText }).toMatchObject({ id: row.id, locale: row.locale, status: expected });
        expect(row.textEngine).toBe('tesseract');
        if (row.id !== 'free') expect(row.text).toBe(TEXTS[row.locale as keyof typeof TEXTS]);
      }
      expect(run.textNeedsReview).toBe(2);
      // The per-locale summary: `status <run>` and the dashboard's run page.
      const status = formatRun(run);
      const flaggedLocales = new Set(rows.filter((row) => row.textStatus === 'needs_review').map((row) => row.locale));
      expect(status).toMatch(
        new RegExp(`ko .*text checked 2, ${flaggedLocales.has('ko') ? [...rows].filter((row) => row.locale === 'ko' && row.textStatus === 'needs_review').length : 0} need review`),
      );
      const page = runPage({ run, failures: { rows: [], total: 0 }, cost: { estimatedMicros: null, actualMicros: null } }).toString();
      expect(page).toMatch(/<tr data-locale="hi">.*<td class="num text-checked">1<\/td>/s);
      expect(Object.values(run.locales).reduce((sum, locale) => sum + (locale.textChecked ?? 0), 0)).toBe(8);

      // Blob metadata and sidecar carry the check.
      const saleJa = rows.find((row) => row.id === 'sale' && row.locale === 'ja')!;
      const metadata = await runtime.blobStore.metadata(saleJa.blobName);
      expect(metadata).toMatchObject({ textcheck: saleJa.textStatus, textengine: 'tesseract', textcer: Number(saleJa.textCer).toFixed(4) });
      const sidecar = JSON.parse((await runtime.blobStore.download(sidecarBlobName(saleJa.blobName))).toString('utf8')) as { textCheck: { status: string; readText: string } };
      expect(sidecar.textCheck).toMatchObject({ status: saleJa.textStatus, readText: saleJa.readText });

      // The edit was drawn onto the master: its corner is the master's colour, its text readable.
      const edit = rows.find((row) => row.id === 'edit')!;
      const { data } = await sharp(await runtime.blobStore.download(edit.blobName))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([data[0], data[1], data[2]]).toEqual([250, 10, 200]);
    } finally {
      await worker.close();
      await checker.close();
      await runtime.close();
    }
  }, 180_000);
});
