import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { startDashboard } from '../../src/dashboard/start-dashboard.js';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../../src/local-services/azurite.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { writeReport } from '../../src/runs/write-report.js';
import { BlobStore } from '../../src/storage/blob-store.js';
import { readUrlSigner } from '../../src/storage/signed-urls.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { createWorkerObservability } from '../../src/observability/worker-observability.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { runCli } from '../helpers/cli.js';
import { readRows, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { encodedImage } from '../helpers/png.js';
import { startServices } from '../helpers/services.js';

/**
 * Issue 13 defect 1: with AZURE_STORAGE_CONNECTION_STRING holding a SharedAccessSignature, no output
 * (local reports, reports in storage, every Redis key, dashboard pages and downloads, logs, metrics,
 * `polyglyph report`, error messages) carries the signature.
 */
let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let dir: string;
let blobEndpoint: string;

const sharedKey = new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY);

/** An account SAS for the Azurite account: read, write, delete, list, add, create, tag; a year. */
function accountSas(): string {
  return generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 365 * 24 * 3600 * 1000),
      permissions: AccountSASPermissions.parse('rwdlact'),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      services: AccountSASServices.parse('b').toString(),
    },
    sharedKey,
  ).toString();
}

/** The signature of a SAS query, in every form it could be written: as sent (URL-encoded) and decoded. */
function signatureForms(sas: string): string[] {
  const encoded = /(?:^|&)sig=([^&]+)/.exec(sas)![1]!;
  return [...new Set([encoded, decodeURIComponent(encoded)])];
}

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 5 });
  await api.listen();
  dir = await mkdtemp(join(tmpdir(), 'pg-sas-'));
  blobEndpoint = /BlobEndpoint=([^;]+)/.exec(services.azurite.connectionString)![1]!;
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
});

/** Every key of a Redis, every value read by its type, as latin1 text (binary values included). */
async function dumpRedis(url: string): Promise<{ keys: number; text: string }> {
  const redis = new Redis(url);
  try {
    const parts: string[] = [];
    let cursor = '0';
    let keys = 0;
    do {
      const [next, batch] = await redis.scanBuffer(cursor, 'COUNT', 500);
      cursor = next.toString();
      for (const keyBuffer of batch) {
        keys += 1;
        const key = keyBuffer.toString('latin1');
        parts.push(key);
        const type = await redis.type(key);
        const values: Buffer[] =
          type === 'string'
            ? [(await redis.getBuffer(key))!]
            : type === 'hash'
              ? await redis.hgetallBuffer(key).then((hash) => Object.entries(hash).flatMap(([field, value]) => [Buffer.from(field), value]))
              : type === 'list'
                ? await redis.lrangeBuffer(key, 0, -1)
                : type === 'set'
                  ? await redis.smembersBuffer(key)
                  : type === 'zset'
                    ? await redis.zrangeBuffer(key, 0, -1)
                    : type === 'stream'
                      ? (await redis.xrangeBuffer(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields])
                      : [];
        parts.push(...values.map((value) => value.toString('latin1')));
        const dumped = await redis.dumpBuffer(key);
        if (dumped) parts.push(dumped.toString('latin1'));
      }
    } while (cursor !== '0');
    return { keys, text: parts.join('\n') };
  } finally {
    redis.disconnect();
  }
}

const hits = (text: string, needles: string[]): number => needles.reduce((sum, needle) => sum + text.split(needle).length - 1, 0);

describe('a run with a SAS connection string', () => {
  it('keeps the signature out of reports, Redis, pages, downloads, logs, metrics and messages', { timeout: 180_000 }, async () => {
    const sas = accountSas();
    const container = uniqueContainerName('sas');
    const storage = `BlobEndpoint=${blobEndpoint};SharedAccessSignature=${sas}`;
    // A master creative in the account, given to the manifest as a blob URL with its own (blob) SAS.
    const owner = BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(`${container}-in`);
    await owner.createIfNotExists();
    await owner.getBlockBlobClient('master.png').uploadData(await encodedImage(1024, 1024, 'png'));
    const blobSas = generateBlobSASQueryParameters(
      { containerName: owner.containerName, blobName: 'master.png', permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) },
      sharedKey,
    ).toString();
    const masterUrl = `${owner.getBlockBlobClient('master.png').url}?${blobSas}`;
    const secrets = [...signatureForms(sas), ...signatureForms(blobSas)];
    expect(secrets.every((secret) => secret.length >= 20)).toBe(true);

    const manifest = join(dir, 'sas-run.csv');
    await writeFile(
      manifest,
      ['id,message,locales,size,source_image', 'hero,Spring Sale,ja;ko,1024x1024,', `banner,Free shipping,hi,1024x1024,${masterUrl}`, 'refused,Bad [blocked],bn,1024x1024,'].join('\n'),
    );

    const config: Config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage, container });
    const lines: string[] = [];
    // As `run` and `worker` make it: no literal secrets given, the redaction patterns alone.
    const logger = createLogger('debug', {}, { destination: { write: (line: string) => void lines.push(line) } });
    const runtime = await openWorkerRuntime(config, logger);
    const observability = createWorkerObservability(runtime, { healthPort: 0, healthHost: '127.0.0.1', priceFile: undefined }, logger);
    const outputs: Record<string, string> = {};
    let worker: ReturnType<typeof createImageWorker> | undefined;
    let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
    try {
      const { runId } = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath: manifest,
        defaults: manifestDefaults(config),
        model: config.deployment,
        attempts: 2,
        backoffMs: 10,
        masterStore: runtime.masters,
      });
      dashboard = await startDashboard({ ...config, dashboardPort: 0, dashboardHost: '127.0.0.1', dashboardToken: undefined, dashboardPassword: undefined }, logger);
      const queue = config.queueName;
      const dashboardPaths = [
        '/runs',
        `/runs/${runId}`,
        `/runs/${runId}/report.csv`,
        `/runs/${runId}/report.json`,
        '/api/runs',
        `/api/runs/${runId}`,
        '/api/deployments',
        '/queues/',
        '/queues/api/queues',
        `/queues/api/queues?activeQueue=${queue}&status=waiting&page=1&jobsPerPage=50`,
        `/queues/api/queues?activeQueue=${queue}&status=failed&page=1&jobsPerPage=50`,
        '/readyz',
      ];
      const readDashboard = async (phase: string): Promise<void> => {
        for (const path of dashboardPaths) {
          const response = await fetch(`${dashboard!.url}${path}`);
          expect(response.status, path).toBeLessThan(500);
          outputs[`dashboard ${path} (${phase})`] = await response.text();
        }
      };
      // Before any worker: the jobs wait in Redis, their data on show in Bull Board.
      await readDashboard('queued');
      const waiting = outputs[`dashboard /queues/api/queues?activeQueue=${queue}&status=waiting&page=1&jobsPerPage=50 (queued)`]!;
      // The edits job names its master, without the signature.
      expect(waiting).toContain(`"ref":"${owner.getBlockBlobClient('master.png').url}"`);
      const queued = await dumpRedis(services.redis.url);
      outputs['redis (queued)'] = queued.text;

      worker = createImageWorker({ ...runtime, logger, metrics: observability.metrics }, { concurrency: 4, prefix: config.queuePrefix });
      await worker.waitUntilReady();
      const health = (await observability.serve(worker))!;
      const run = await waitForRun(runtime.runStore, runId);
      expect(run).toMatchObject({ total: 4, imagesCreated: 3, itemsFailed: 1 });
      await waitUntil(async () => (await runtime.runStore.get(runId))?.reportBlob !== undefined, 'the report in storage');
      await readDashboard('finished');
      outputs['/metrics'] = await (await fetch(`${health.url}/metrics`)).text();
      outputs['/readyz (worker)'] = await (await fetch(`${health.url}/readyz`)).text();
      expect(outputs['/metrics']).toContain('polyglyph_');

      // The rows name real, reachable blobs: the URL lost its query, not its path.
      const rows = await readRows(runtime.runStore, runId);
      const created = rows.filter((row) => row.status === 'created');
      expect(created).toHaveLength(3);
      for (const row of created) expect(row.url).toBe(`${blobEndpoint}/${container}/${row.blobName}`);

      const local = await writeReport(runtime.runStore, (await runtime.runStore.get(runId))!, join(dir, 'reports'));
      outputs['local report json'] = await readFile(local.jsonPath, 'utf8');
      outputs['local report csv'] = await readFile(local.csvPath, 'utf8');
      const blobs = BlobServiceClient.fromConnectionString(services.azurite.connectionString).getContainerClient(container);
      const names: string[] = [];
      for await (const blob of blobs.listBlobsFlat({ includeMetadata: true, includeTags: true })) {
        names.push(blob.name);
        outputs[`blob ${blob.name} (properties)`] = JSON.stringify(blob);
        if (blob.name.endsWith('.json') || blob.name.endsWith('.csv')) outputs[`blob ${blob.name}`] = (await blobs.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
      }
      expect(names).toEqual(expect.arrayContaining([`reports/${runId}.csv`, `reports/${runId}.json`]));

      const cli = await runCli(['report', runId, '--format', 'json'], { REDIS_URL: services.redis.url, POLYGLYPH_QUEUE_PREFIX: config.queuePrefix, AZURE_STORAGE_CONNECTION_STRING: storage });
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toContain(`${blobEndpoint}/${container}/`);
      outputs['polyglyph report'] = cli.stdout + cli.stderr;
      // Asked for explicitly, signed links need a credential that can sign; a SAS cannot.
      const signed = await runCli(['report', runId, '--signed-urls', '24h'], { REDIS_URL: services.redis.url, POLYGLYPH_QUEUE_PREFIX: config.queuePrefix, AZURE_STORAGE_CONNECTION_STRING: storage });
      expect(signed.code).toBe(2);
      expect(signed.stderr).toContain('--signed-urls needs a storage credential that can sign');
      outputs['polyglyph report --signed-urls'] = signed.stdout + signed.stderr;

      const redis = await dumpRedis(services.redis.url);
      expect(redis.keys).toBeGreaterThan(10);
      outputs['redis (finished)'] = redis.text;
      outputs.logs = lines.join('');
      expect(lines.length).toBeGreaterThan(5);

      const counts = Object.fromEntries(Object.entries(outputs).map(([name, text]) => [name, hits(text, secrets)]));
      const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
      // The figures for the closing note.
      console.info(
        `SAS signature grep: ${total} hits in ${Object.keys(outputs).length} outputs (${Object.values(outputs).reduce((sum, text) => sum + text.length, 0)} characters; ${redis.keys} Redis keys, ${lines.length} log lines, ${names.length} blobs)`,
      );
      expect(counts).toEqual(Object.fromEntries(Object.keys(outputs).map((name) => [name, 0])));
      // Nor any other signature: every sig= left is a censored one.
      for (const [name, text] of Object.entries(outputs)) expect(text, name).not.toMatch(/[?&;]sig=(?!\[redacted\])/);
    } finally {
      await dashboard?.close();
      await worker?.close();
      await observability.close();
      await runtime.close();
    }
  });

  it('polyglyph run: its output, its logs and its local reports carry no signature', { timeout: 180_000 }, async () => {
    const sas = accountSas();
    const storage = `BlobEndpoint=${blobEndpoint};SharedAccessSignature=${sas}`;
    const manifest = join(dir, 'cli-run.csv');
    await writeFile(manifest, 'id,message,locales\nhero,Spring Sale,ja;ko\nrefused,Bad [blocked],hi\n');
    const reportDir = join(dir, 'cli-reports');
    const result = await runCli(
      ['run', manifest],
      {
        REDIS_URL: services.redis.url,
        POLYGLYPH_QUEUE_PREFIX: `pg-run-${Date.now()}`,
        AZURE_OPENAI_ENDPOINT: api.url,
        AZURE_OPENAI_API_KEY: 'test-key',
        AZURE_STORAGE_CONNECTION_STRING: storage,
        POLYGLYPH_CONTAINER: uniqueContainerName('sas-run'),
        POLYGLYPH_REPORT_DIR: reportDir,
        POLYGLYPH_LOG_LEVEL: 'debug',
        POLYGLYPH_IMAGES_PER_MINUTE: '6000',
        POLYGLYPH_BACKOFF_MS: '10',
        POLYGLYPH_ATTEMPTS: '2',
      },
      150_000,
    );
    expect(result.code, result.stderr).toBe(1); // the [blocked] item fails, the others are stored
    const jsonPath = /report: (\S+\.json)/.exec(result.stdout)![1]!;
    const outputs = [result.stdout, result.stderr, await readFile(jsonPath, 'utf8'), await readFile(jsonPath.replace(/\.json$/, '.csv'), 'utf8')];
    expect(outputs[2]).toContain(`${blobEndpoint}/`);
    expect(result.stderr.split('\n').length).toBeGreaterThan(5); // debug logs were captured
    const found = outputs.reduce((sum, text) => sum + hits(text, signatureForms(sas)), 0);
    console.info(`SAS signature grep, polyglyph run: ${found} hits in stdout, stderr (${result.stderr.split('\n').length} lines) and the local reports`);
    expect(found).toBe(0);
    for (const text of outputs) expect(text).not.toMatch(/[?&;]sig=(?!\[redacted\])/);
  });

  it('a source image that cannot be read is named without its signature', { timeout: 120_000 }, async () => {
    const sas = accountSas();
    const storage = `BlobEndpoint=${blobEndpoint};SharedAccessSignature=${sas}`;
    // A blob that does not exist, with a signature (of another key) that Azurite refuses.
    const forged = generateBlobSASQueryParameters(
      { containerName: 'nowhere', blobName: 'missing.png', permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, Buffer.from('not the key of this account').toString('base64')),
    ).toString();
    const manifest = join(dir, 'bad-master.csv');
    await writeFile(manifest, `id,message,locales,source_image\nhero,Spring Sale,ja,${blobEndpoint}/nowhere/missing.png?${forged}\n`);
    const result = await runCli(['enqueue', manifest], {
      REDIS_URL: services.redis.url,
      POLYGLYPH_QUEUE_PREFIX: `pg-${Date.now()}`,
      AZURE_OPENAI_ENDPOINT: api.url,
      AZURE_OPENAI_API_KEY: 'test-key',
      AZURE_STORAGE_CONNECTION_STRING: storage,
      POLYGLYPH_CONTAINER: uniqueContainerName('sas-bad'),
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`cannot read the source image ${blobEndpoint}/nowhere/missing.png`);
    const output = result.stdout + result.stderr;
    expect(hits(output, [...signatureForms(sas), ...signatureForms(forged)])).toBe(0);
    expect(output).not.toMatch(/sig=(?!\[redacted\])/);
  });
});

describe('report --signed-urls', () => {
  it('signs read-only links for one blob each with the account key, and refuses a SAS connection string', async () => {
    const container = uniqueContainerName('signed');
    const store = BlobStore.fromSettings({ storageConnectionString: services.azurite.connectionString, container });
    await store.ensureContainer();
    await store.upload('spring/ja/hero/abc-v1.png', Buffer.from('image bytes'), { contentType: 'image/png' });
    await store.upload('spring/ja/hero/def-v1.png', Buffer.from('other bytes'), { contentType: 'image/png' });

    const sign = await readUrlSigner(store, 24 * 3600_000);
    const link = sign('spring/ja/hero/abc-v1.png');
    expect(link.startsWith(`${store.url('spring/ja/hero/abc-v1.png')}?`)).toBe(true);
    expect(new URL(link).searchParams.get('sp')).toBe('r');
    const read = await fetch(link);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe('image bytes');
    // The plain URL needs a credential; the signature opens only its own blob, and only for reading.
    expect((await fetch(store.url('spring/ja/hero/abc-v1.png'))).status).not.toBe(200);
    const other = new URL(link);
    other.pathname = other.pathname.replace('abc-v1', 'def-v1');
    expect((await fetch(other)).status).toBe(403);
    expect((await fetch(link, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' })).status).toBe(403);

    await expect(readUrlSigner(store, 8 * 24 * 3600_000)).rejects.toThrow(/up to 7 days/);
    const sasStore = BlobStore.fromSettings({ storageConnectionString: `BlobEndpoint=${blobEndpoint};SharedAccessSignature=${accountSas()}`, container });
    await expect(readUrlSigner(sasStore, 3600_000)).rejects.toThrow(/needs a storage credential that can sign/);
  });
});
