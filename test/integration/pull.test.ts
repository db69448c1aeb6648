import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { startLocalServices } from '../../src/cli/local-services.js';
import { BlobStore } from '../../src/storage/blob-store.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import { runCli } from '../helpers/cli.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/unique.js';
import { freePort } from '../../src/local-services/free-port.js';

let redis: TestRedis;
let workDir: string;
beforeAll(async () => {
  redis = await startRedisServer({ appendonly: false });
  workDir = await mkdtemp(join(tmpdir(), 'pg-pull-'));
});
afterAll(async () => {
  await redis?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it, `/`-separated. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

async function reportRows(stdout: string): Promise<{ runId: string; rows: ReportRow[] }> {
  const reportPath = /report: (\S+\.json)/.exec(stdout)?.[1];
  const report = JSON.parse(await readFile(reportPath!, 'utf8')) as { runId?: string; rows: ReportRow[] };
  const runId = /run (r\d{8}t\d{6}z-[0-9a-f]{6})/.exec(stdout)?.[1];
  return { runId: runId!, rows: report.rows };
}

function imagesAndSidecars(rows: ReportRow[]): string[] {
  return rows.filter((row) => row.blobName).flatMap((row) => [row.blobName, `${row.blobName}.json`]);
}

describe('polyglyph pull', () => {
  it("brings a local run home (nothing configured: the data folder's Azurite), byte for byte, filtered by locale and status, and a re-pull downloads nothing", async () => {
    const localDir = join(workDir, 'local');
    const env = {
      REDIS_URL: redis.url,
      POLYGLYPH_QUEUE_PREFIX: uniquePrefix('pull'),
      POLYGLYPH_REPORT_DIR: join(workDir, 'reports'),
      POLYGLYPH_LOCAL_DIR: localDir,
      POLYGLYPH_IMAGES_PER_MINUTE: '3000',
    };
    // A first run, then a second whose manifest shares two rows with it: its rows are `exists` and `created`.
    const first = await runCli(['run', 'samples/spring-campaign.csv'], env, 150_000);
    expect(first.code).toBe(0);
    const sample = (await readFile('samples/spring-campaign.csv', 'utf8')).trim().split('\n');
    // Same file name, same campaign: the shared rows find their images.
    await mkdir(join(workDir, 'second'));
    const manifest = join(workDir, 'second', 'spring-campaign.csv');
    await writeFile(manifest, [...sample.slice(0, 3), 'late-offer,Last chance: 20% off,ja;ko,最後のチャンス 20%オフ,마지막 기회 20% 할인,,,,"A clock on a red background",low,1'].join('\n'));
    const second = await runCli(['run', manifest], env, 150_000);
    expect(second.code).toBe(0);
    const { runId, rows } = await reportRows(second.stdout);
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(['created', 'exists']));

    // Everything: every image with its sidecar, and a contact sheet per locale.
    const out = join(workDir, 'out');
    const all = await runCli(['pull', runId, '--out', out], env, 120_000);
    expect(all.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(all.code).toBe(0);
    const locales = [...new Set(rows.map((row) => row.locale))];
    const sheets = locales.map((locale) => `contact-sheets/${runId}/${locale.toLowerCase()}.png`);
    expect(await tree(out)).toEqual([...imagesAndSidecars(rows), ...sheets].sort());
    expect(all.stdout).toContain(`${rows.length} rows selected; ${imagesAndSidecars(rows).length + sheets.length} files downloaded`);
    // Not a TTY here: plain progress lines on stderr, ending with the full count.
    expect(all.stderr).toMatch(new RegExp(`pulling \\[#{20}\\] ${imagesAndSidecars(rows).length + sheets.length}/\\d+ files`));

    // Byte for byte what is in storage: read back through the same data folder's Azurite.
    const local = await startLocalServices(resolveConfig({ localDir }), { localDir }, { api: false });
    try {
      const store = BlobStore.fromSettings(local.config);
      for (const name of imagesAndSidecars(rows)) expect((await readFile(join(out, name))).equals(await store.download(name)), name).toBe(true);
      const sheetLocale = rows[0]!.locale;
      expect((await readFile(join(out, `contact-sheets/${runId}/${sheetLocale.toLowerCase()}.png`))).equals(await store.download(`reports/${runId}/${sheetLocale}.png`))).toBe(true);
    } finally {
      await local.stop();
    }

    // A re-pull: nothing downloaded, nothing rewritten.
    const someImage = join(out, rows.find((row) => row.blobName)!.blobName);
    const before = (await stat(someImage)).mtimeMs;
    const again = await runCli(['pull', runId, '--out', out], env, 120_000);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`0 files downloaded (0.0 KB), ${imagesAndSidecars(rows).length + sheets.length} already there`);
    expect((await stat(someImage)).mtimeMs).toBe(before);

    // --locale and --status: only the matching rows (and the selected locales' contact sheets).
    const byLocale = join(workDir, 'by-locale');
    const ko = await runCli(['pull', runId, '--out', byLocale, '--locale', 'ko'], env, 120_000);
    expect(ko.code).toBe(0);
    expect(await tree(byLocale)).toEqual([...imagesAndSidecars(rows.filter((row) => row.locale === 'ko')), `contact-sheets/${runId}/ko.png`].sort());

    const byStatus = join(workDir, 'by-status');
    const created = await runCli(['pull', runId, '--out', byStatus, '--status', 'created', '--locale', 'ja,ko'], env, 120_000);
    expect(created.code).toBe(0);
    const createdRows = rows.filter((row) => row.status === 'created' && ['ja', 'ko'].includes(row.locale));
    expect(createdRows.map((row) => row.id)).toEqual(['late-offer', 'late-offer']);
    expect(await tree(byStatus)).toEqual([...imagesAndSidecars(createdRows), `contact-sheets/${runId}/ja.png`, `contact-sheets/${runId}/ko.png`].sort());

    // A text-check status (the report's textStatus).
    const textStatus = rows.find((row) => row.textStatus)?.textStatus;
    expect(textStatus).toBeDefined();
    const byText = join(workDir, 'by-text');
    const checked = await runCli(['pull', runId, '--out', byText, '--status', textStatus!], env, 120_000);
    expect(checked.code).toBe(0);
    const textRows = rows.filter((row) => row.textStatus === textStatus);
    expect((await tree(byText)).filter((name) => !name.startsWith('contact-sheets/'))).toEqual(imagesAndSidecars(textRows).sort());

    // A container the run did not write to: said so, exit 2, nothing written.
    const noContainer = await runCli(['pull', runId, '--out', join(workDir, 'no-container'), '--container', 'not-the-runs'], env, 120_000);
    expect(noContainer.code).toBe(2);
    expect(noContainer.stderr).toMatch(/polyglyph: no container 'not-the-runs' in blob storage at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1: the run's images are not there/);
    expect(await tree(join(workDir, 'no-container'))).toEqual([]);

    // Storage that cannot be reached: one line saying what to fix, exit 2.
    const port = await freePort();
    const unreachable = await runCli(['pull', runId, '--out', join(workDir, 'unreachable')], {
      ...env,
      POLYGLYPH_STORAGE_MAX_TRIES: '1',
      AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1`,
    });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(new RegExp(`polyglyph: cannot reach blob storage at http://127.0.0.1:${port}/devstoreaccount1/localized-assets .*check AZURE_STORAGE_CONNECTION_STRING`));
    expect(unreachable.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(unreachable.stderr).not.toContain('Eby8vdM02');
  }, 420_000);

  it('an unknown run, an unknown status or locale: exit 2 with one clear line, nothing written', async () => {
    const env = { REDIS_URL: redis.url, POLYGLYPH_QUEUE_PREFIX: uniquePrefix('pull'), POLYGLYPH_LOCAL_DIR: join(workDir, 'local-none') };
    const out = join(workDir, 'nothing');
    const unknown = await runCli(['pull', 'r20260101t000000z-000000', '--out', out], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("polyglyph: no run 'r20260101t000000z-000000' in this queue");
    expect(unknown.stderr).not.toMatch(/at .*\.ts:\d+/);
    const status = await runCli(['pull', 'r20260101t000000z-000000', '--status', 'done'], env);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain("--status: expected one of created, exists, failed, cancelled, ok, needs_review, unverified, error, got 'done'");
    const locale = await runCli(['pull', 'r20260101t000000z-000000', '--locale', 'fr'], env);
    expect(locale.code).toBe(2);
    expect(locale.stderr).toContain("--locale: expected one of ja, ko, hi, bn, zh-Hans, zh-Hant, got 'fr'");
    expect(await tree(out)).toEqual([]);
  }, 120_000);
});
