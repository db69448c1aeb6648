import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { escapeHtml } from '../../src/dashboard/html.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/start-dashboard.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import type { RunRecord } from '../../src/runs/run-store.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { createTextCheckWorker, textReaderFor } from '../../jobs/text-check-worker.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { readRows, silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';

// Screenshots go to test-results/ (ignored), so a test run never rewrites the committed docs/ images;
// POLYGLYPH_SCREENSHOT_DIR=docs refreshes those on purpose.
const SCREENSHOT_DIR = process.env.POLYGLYPH_SCREENSHOT_DIR ?? 'test-results';

const MANIFEST = 'id,message,locales,text:ja,text:ko\nwelcome,Welcome,ja ko,ようこそ,환영합니다\nsale,Spring sale,ja ko,春のセール,봄 세일\n';
const PASSWORD = 'gallery password 123';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let config: Config;
let runtime: WorkerRuntime;
let worker: Worker;
let checker: Worker;
let run: RunRecord;
let dashboard: Dashboard;
const auth = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 5 });
  await api.listen();
  config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('gallery') });
  runtime = await openWorkerRuntime(config, silentLogger);
  // Every stored image is read back (Tesseract), so the gallery has read text and scores to show.
  worker = createImageWorker({ ...runtime, logger: silentLogger, checkTextOn: runtime.textCheckQueue }, { concurrency: 4, prefix: config.queuePrefix });
  checker = createTextCheckWorker({ ...runtime, logger: silentLogger, queue: runtime.textCheckQueue!, reader: textReaderFor(config)!, config });
  await worker.waitUntilReady();
  // The first image request draws garbled text: the check flags that one image needs_review.
  api.injectFaults(['garbled-text']);
  const dir = await mkdtemp(join(tmpdir(), 'pg-gallery-'));
  await writeFile(join(dir, 'review.csv'), MANIFEST);
  const defaults = manifestDefaults(config);
  const { runId } = await enqueueManifest(runtime, {
    runId: newRunId(),
    manifestPath: join(dir, 'review.csv'),
    defaults,
    model: config.deployment,
    attempts: config.attempts,
    backoffMs: config.backoffMs,
  });
  run = await waitForRun(runtime.runStore, runId, 120_000);
  dashboard = await startDashboard({ ...config, dashboardPort: 0, dashboardPassword: PASSWORD }, silentLogger, { rerender: { defaults, attempts: config.attempts, backoffMs: config.backoffMs } });
});
afterAll(async () => {
  await dashboard?.close();
  await worker?.close();
  await checker?.close();
  await runtime?.close();
  await api?.close();
  await services?.stop();
});

const get = (path: string): Promise<Response> => fetch(`${dashboard.url}${path}`, { headers: { authorization: auth } });

describe('review gallery (HTTP)', () => {
  it('serves thumbnails and full images of the run only, with its own credentials; the page holds no storage URL', async () => {
    expect(run).toMatchObject({ total: 4, imagesCreated: 4, itemsFailed: 0 });
    const page = await get(`/runs/${run.id}/gallery`);
    expect(page.status).toBe(200);
    const body = await page.text();
    const rows = await readRows(runtime.runStore, run.id);
    for (const row of rows) expect(body).toContain(`/images/thumb?blob=${encodeURIComponent(row.blobName)}`);
    expect(body).not.toContain(services.azurite.blobEndpoint);
    expect(body).not.toMatch(/sig=|devstoreaccount1\.blob|127\.0\.0\.1:\d+\/devstoreaccount1/);
    const thumb = await get(`/runs/${run.id}/images/thumb?blob=${encodeURIComponent(rows[0]!.blobName)}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const full = await get(`/runs/${run.id}/images/full?blob=${encodeURIComponent(rows[0]!.blobName)}`);
    expect(full.headers.get('content-type')).toBe('image/png');
    expect((await thumb.arrayBuffer()).byteLength).toBeLessThan((await full.arrayBuffer()).byteLength);
    // Only blobs of this run's report: not its sidecar, not anything else in the container.
    expect((await get(`/runs/${run.id}/images/full?blob=${encodeURIComponent(`${rows[0]!.blobName}.json`)}`)).status).toBe(404);
    expect((await get(`/runs/${run.id}/images/full?blob=${encodeURIComponent('reports/x.csv')}`)).status).toBe(404);
    // The locale filter.
    const ko = await (await get(`/runs/${run.id}/gallery?locale=ko`)).text();
    expect(ko.match(/<figure /g)).toHaveLength(2);
    // The text check's reading and score, and the needs_review filter: the garbled image (at least) and only flagged ones.
    const needsReview = rows.filter((row) => row.textStatus === 'needs_review');
    expect(needsReview.length).toBeGreaterThanOrEqual(1);
    expect(needsReview.length).toBeLessThan(4);
    expect(body.match(/class="mono score"/g)).toHaveLength(4);
    for (const row of rows) expect(body).toContain(`<span class="text read" lang="${row.locale}">${escapeHtml(row.readText ?? '')}</span>`);
    const flagged = await (await get(`/runs/${run.id}/gallery?needs_review=1`)).text();
    expect(flagged.match(/<figure /g)).toHaveLength(needsReview.length);
    for (const row of needsReview) expect(flagged).toContain(`data-blob="${row.blobName}"`);
  });

  it('refuses a review POST without the CSRF token, or from another site', async () => {
    const blob = (await readRows(runtime.runStore, run.id))[0]!.blobName;
    const post = (headers: Record<string, string>, form: Record<string, string>): Promise<Response> =>
      fetch(`${dashboard.url}/runs/${run.id}/review`, {
        method: 'POST',
        redirect: 'manual',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
    const noToken = await post({ origin: dashboard.url }, { blob, decision: 'approved' });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('CSRF token');
    const page = await (await get(`/runs/${run.id}/gallery`)).text();
    const token = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    expect((await post({ origin: 'http://attacker.example' }, { csrf: token, blob, decision: 'approved' })).status).toBe(403);
    expect((await post({ origin: dashboard.url }, { csrf: `${token}x`, blob, decision: 'approved' })).status).toBe(403);
    expect(await runtime.runStore.reviews(run.id)).toEqual(new Map());
  });
});

const browserPath = chromiumPath();

/** Every thumbnail of the page decoded (served by the dashboard, not a broken link). */
const thumbnailsLoaded = (page: Page): Promise<boolean> =>
  page.locator('#gallery img').evaluateAll((nodes) =>
    nodes.every((node) => {
      const img = node as unknown as { complete: boolean; naturalWidth: number };
      return img.complete && img.naturalWidth > 0;
    }),
  );

describe('review gallery in a real browser', () => {
  it.runIf(process.env.CI === 'true')('has Chromium to test with on CI', () => {
    expect(browserPath, 'install Debian Chromium (apt-get install chromium) or set CHROMIUM_PATH').toBeDefined();
  });

  it.skipIf(!browserPath)(
    'shows the thumbnails with expected and read-back text; approve one image, reject another: the rejected one comes back as a new variant',
    async () => {
      const browser = await launchChromium(browserPath!);
      try {
        const context = await browser.newContext({ httpCredentials: { username: 'admin', password: PASSWORD }, viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${dashboard.url}/runs/${run.id}`);
        await page.locator('#gallery-link').click();
        await page.waitForURL(`**/runs/${run.id}/gallery`);
        const images = page.locator('#gallery img');
        expect(await images.count()).toBe(4);
        await waitUntil(() => thumbnailsLoaded(page), 'the thumbnails loaded', 20_000);
        await mkdir(SCREENSHOT_DIR, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOT_DIR}/gallery-grid.png`, fullPage: true });

        const approved = page.locator('figure[data-locale="ja"]', { has: page.locator('img[alt^="welcome ja"]') });
        const approvedBlob = (await approved.getAttribute('data-blob'))!;
        await approved.getByRole('button', { name: 'Approve' }).click();
        await page.waitForURL(/notice=/);
        expect(await page.locator('.notice').textContent()).toContain('welcome ja v1 approved');
        expect(await page.locator(`figure[data-blob="${approvedBlob}"]`).getAttribute('data-review')).toBe('approved');

        const rejected = page.locator('figure[data-locale="ko"]', { has: page.locator('img[alt^="sale ko"]') });
        const rejectedBlob = (await rejected.getAttribute('data-blob'))!;
        await rejected.getByRole('button', { name: /Reject/ }).click();
        await page.waitForURL(/notice=/);
        expect(await page.locator('.notice').textContent()).toContain('sale ko v1 rejected; v2 is being rendered');

        // The worker renders v2 of sale/ko; v1 stays stored (found, not paid again).
        await waitUntil(
          async () => (await readRows(runtime.runStore, run.id)).some((row) => row.id === 'sale' && row.locale === 'ko' && row.variant === 2 && row.status === 'created'),
          'sale ko v2 rendered',
          60_000,
        );
        const after = await waitForRun(runtime.runStore, run.id, 60_000);
        expect(after).toMatchObject({ imagesPlanned: 5, itemsFailed: 0 });
        const saleKo = (await readRows(runtime.runStore, run.id)).filter((row) => row.id === 'sale' && row.locale === 'ko').map((row) => [row.variant, row.status]);
        expect(saleKo.sort()).toEqual([
          [1, 'exists'],
          [2, 'created'],
        ]);

        // Recorded in the run, and on the blobs as metadata and an index tag.
        const reviews = await runtime.runStore.reviews(run.id);
        expect(reviews.get(approvedBlob)).toMatchObject({ decision: 'approved', by: 'admin' });
        expect(reviews.get(rejectedBlob)).toMatchObject({ decision: 'rejected' });
        const props = await runtime.blobStore.container.getBlockBlobClient(rejectedBlob).getProperties();
        expect(props.metadata).toMatchObject({ review: 'rejected', locale: 'ko' });
        const tagged: string[] = [];
        for await (const found of runtime.blobStore.container.findBlobsByTags(`review='approved'`)) tagged.push(found.name);
        expect(tagged).toEqual([approvedBlob]);

        await page.goto(`${dashboard.url}/runs/${run.id}/gallery`);
        expect(await page.locator('#gallery img').count()).toBe(5);
        await waitUntil(() => thumbnailsLoaded(page), 'the thumbnails loaded', 20_000);
        await page.screenshot({ path: `${SCREENSHOT_DIR}/gallery-after-review.png`, fullPage: true });
        // Full size on click: the link opens the stored image itself.
        const full = await page.request.get(`${dashboard.url}${(await page.locator(`figure[data-blob="${approvedBlob}"] a`).getAttribute('href'))!}`);
        expect(full.headers()['content-type']).toBe('image/png');
      } finally {
        await browser.close();
      }
    },
    150_000,
  );
});
