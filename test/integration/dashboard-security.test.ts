import { request as httpRequest } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/start-dashboard.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { createImageWorker } from '../../jobs/image-worker.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { readRows, silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let config: Config;
let runtime: WorkerRuntime;
let dashboard: Dashboard;
const workers: Worker[] = [];

/** A raw HTTP request, so the test can send any `Host` (fetch would fill in its own). */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  const { port } = dashboard;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (chunk: string) => (body += chunk))
        .on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const startWorker = async (): Promise<Worker> => {
  const worker = createImageWorker({ ...runtime, logger: silentLogger }, { concurrency: 2, prefix: config.queuePrefix });
  workers.push(worker);
  await worker.waitUntilReady();
  return worker;
};

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ latencyMs: 5 });
  await api.listen();
  config = testConfig({ redisUrl: services.redis.url, apiUrl: api.url, storage: services.azurite.connectionString, container: uniqueContainerName('dashsec') });
  runtime = await openWorkerRuntime(config, silentLogger);
  // The defect's setting: loopback, no authentication, Bull Board's job actions on.
  dashboard = await startDashboard({ ...config, dashboardPort: 0, dashboardAllowedHosts: 'dash.example.internal' }, silentLogger, { allowJobActions: true });
});
afterAll(async () => {
  await dashboard?.close();
  for (const worker of workers) await worker.close();
  await runtime?.close();
  await api?.close();
  await services?.stop();
});

describe('dashboard: Host check (DNS rebinding)', () => {
  it('refuses a request for a host name it does not serve, before showing anything', async () => {
    for (const host of ['attacker.example', `attacker.example:${dashboard.port}`, '10.1.2.3', 'localhost.attacker.example']) {
      for (const path of ['/runs', '/api/runs', '/queues/api/queues']) {
        const response = await send(path, { headers: { host } });
        expect(response.status, `${host} ${path}`).toBe(403);
        expect(response.body, `${host} ${path}`).toContain('POLYGLYPH_DASHBOARD_ALLOWED_HOSTS');
        expect(response.body).not.toContain(config.queueName);
      }
    }
  });

  it('serves loopback names, its listen address and the allowed hosts', async () => {
    for (const host of [`127.0.0.1:${dashboard.port}`, `localhost:${dashboard.port}`, `[::1]:${dashboard.port}`, 'dash.example.internal', `DASH.example.internal:${dashboard.port}`]) {
      expect((await send('/api/runs', { headers: { host } })).status, host).toBe(200);
    }
    // Probes answer whatever name an orchestrator uses: they reveal only up or down.
    expect((await send('/livez', { headers: { host: 'pod-10-1-2-3' } })).status).toBe(200);
  });
});

describe('dashboard: cross-site requests (CSRF) and malformed jobs', () => {
  const addJob = (headers: Record<string, string>, body = JSON.stringify({ name: 'generate-image', data: {} })): Promise<{ status: number; body: string }> =>
    send(`/queues/api/queues/${config.queueName}/add`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('refuses a cross-site POST to Bull Board (another Origin, Sec-Fetch-Site cross-site or same-site, or neither header): no job is added', async () => {
    const before = await runtime.queue.count();
    for (const headers of [
      { origin: 'http://attacker.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: `http://127.0.0.1:${dashboard.port}` },
      { 'sec-fetch-site': 'same-site' },
      {},
    ] as Array<Record<string, string>>) {
      const response = await addJob(headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.body).toContain('must come from the dashboard');
    }
    // A cross-site HTML form: text/plain, as a form can send.
    expect((await addJob({ origin: 'http://attacker.example', 'content-type': 'text/plain' }, '{"name":"generate-image","data":{},"x":"="}')).status).toBe(403);
    expect(await runtime.queue.count()).toBe(before);
  });

  it('a job added from the dashboard itself with empty data fails as invalid_job at once; the worker goes on with real work', async () => {
    const added = await addJob({ origin: `http://127.0.0.1:${dashboard.port}`, 'sec-fetch-site': 'same-origin' });
    expect(added.status).toBe(200);
    const { job } = JSON.parse(added.body) as { job: { id: string } };
    const worker = await startWorker();
    await waitUntil(async () => (await runtime.queue.getJobState(job.id)) === 'failed', 'the empty job failed');
    const failed = await runtime.queue.getJob(job.id);
    expect(failed?.failedReason).toMatch(/^job \S+: the job's data is not a generate-image payload: v: .*runId: /);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.stacktrace?.join('\n')).not.toMatch(/TypeError|Cannot read properties/);
    // Another job type, and data of the wrong types, are refused alike.
    const other = await runtime.queue.add('something-else' as 'generate-image', { hello: 'world' } as never);
    const wrongTypes = await runtime.queue.add('generate-image', { v: 1, runId: 7, request: { n: 'ten' } } as never);
    await waitUntil(async () => (await runtime.queue.getJobState(other.id!)) === 'failed' && (await runtime.queue.getJobState(wrongTypes.id!)) === 'failed', 'both refused');
    expect((await runtime.queue.getJob(other.id!))?.failedReason).toContain("unknown job type 'something-else'");
    expect((await runtime.queue.getJob(wrongTypes.id!))?.failedReason).toMatch(/not a generate-image payload: runId: Invalid input: expected string, received number/);

    const dir = await mkdtemp(join(tmpdir(), 'pg-dashsec-'));
    await writeFile(join(dir, 'after.csv'), 'id,message,locales\nhello,Hello,ja\n');
    const { runId } = await enqueueManifest(runtime, {
      runId: newRunId(),
      manifestPath: join(dir, 'after.csv'),
      defaults: manifestDefaults(config),
      model: config.deployment,
      attempts: config.attempts,
      backoffMs: config.backoffMs,
    });
    expect(await waitForRun(runtime.runStore, runId)).toMatchObject({ imagesCreated: 1, itemsFailed: 0 });
    expect(worker.isRunning()).toBe(true);
    await worker.close();
  });

  it("a run's job whose data was replaced by junk settles as a failed invalid_job item; the run finishes and the rest is rendered", async () => {
    // No worker may take the items before one of them is spoiled.
    for (const worker of workers.splice(0)) await worker.close();
    const dir = await mkdtemp(join(tmpdir(), 'pg-dashsec-'));
    await writeFile(join(dir, 'junk.csv'), 'id,message,locales\none,One,ja\ntwo,Two,ko\n');
    const { runId } = await enqueueManifest(runtime, {
      runId: newRunId(),
      manifestPath: join(dir, 'junk.csv'),
      defaults: manifestDefaults(config),
      model: config.deployment,
      attempts: config.attempts,
      backoffMs: config.backoffMs,
    });
    const waiting = await runtime.queue.getWaiting();
    const victim = waiting.find((job) => job.data.messageId === 'two')!;
    await victim.updateData({ runId, messageId: 'two', locale: 'ko', request: null } as never);
    await startWorker();
    const run = await waitForRun(runtime.runStore, runId);
    expect(run).toMatchObject({ total: 2, settled: 2, imagesCreated: 1, itemsFailed: 1, failuresByCode: { invalid_job: 1 } });
    const rows = await readRows(runtime.runStore, runId);
    expect(rows.find((row) => row.status === 'failed')).toMatchObject({ id: 'two', locale: 'ko', errorCode: 'invalid_job' });
    expect(rows.find((row) => row.status === 'created')).toMatchObject({ id: 'one', locale: 'ja' });
  });
});
