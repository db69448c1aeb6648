import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { describeDrop } from '../../src/cli/commands/scan.js';
import type { Config } from '../../src/config/settings.js';
import type { StartRun } from '../../src/drops/ingest-drop.js';
import { IngestLedger } from '../../src/drops/ingest-ledger.js';
import { scanDrops, type ScanDeps } from '../../src/drops/scan-drops.js';
import { freePort } from '../../src/local-services/free-port.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { scheduledJobHandler } from '../../src/schedules/run-scheduled.js';
import { addSchedule, createScheduleWorker, listSchedules, openScheduleQueue, removeSchedule, type ScheduleJobData } from '../../src/schedules/schedules.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { runCli } from '../helpers/cli.js';
import { spawnPolyglyph } from '../helpers/fault-harness.js';
import { parseSamples, sampleValue } from '../helpers/prometheus-text.js';
import { silentLogger, testConfig, waitUntil } from '../helpers/pipeline.js';
import { startServices } from '../helpers/services.js';

let services: Awaited<ReturnType<typeof startServices>>;
const API_URL = 'http://127.0.0.1:9'; // nothing is generated here: runs are only enqueued

beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  await services?.stop();
});

async function setup(): Promise<{ config: Config; runtime: WorkerRuntime; deps: ScanDeps; container: ContainerClient; runs: string[] }> {
  const config = testConfig({ redisUrl: services.redis.url, apiUrl: API_URL, storage: services.azurite.connectionString, container: uniqueContainerName('drops') });
  const runtime = await openWorkerRuntime(config, silentLogger);
  const runs: string[] = [];
  const startRun: StartRun = async (manifestPath, origin) => {
    const result = await enqueueManifest(runtime, {
      runId: newRunId(),
      manifestPath,
      defaults: manifestDefaults(config, { warn: () => undefined }),
      model: 'gpt-image-2',
      attempts: 1,
      backoffMs: 10,
      origin,
    });
    runs.push(result.runId);
    return { runId: result.runId };
  };
  const deps: ScanDeps = { ledger: new IngestLedger(runtime.redis, runtime.runStore.keys.base), startRun, container: runtime.blobStore.container, dropPrefix: 'manifests/incoming/' };
  return { config, runtime, deps, container: runtime.blobStore.container, runs };
}

async function drop(container: ContainerClient, name: string, text: string): Promise<void> {
  await container.getBlockBlobClient(`manifests/incoming/${name}`).uploadData(Buffer.from(text, 'utf8'));
}

async function names(container: ContainerClient, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix })) found.push(blob.name);
  return found.sort();
}

/** Claim staleness in the takeover tests: far above a scan pass on two busy cores, short enough to wait for. */
const STALE_MS = 3_000;

const GOOD = 'id,message,locales\nm1,Spring sale,ja;ko\nm2,Free shipping,hi\n';

describe('manifest drops', () => {
  it('ingests a drop exactly once with two scanners racing, and the same content under another name starts no second run', async () => {
    const { runtime, deps, container, runs } = await setup();
    try {
      await drop(container, 'spring.csv', GOOD);
      const [a, b] = await Promise.all([scanDrops(deps), scanDrops(deps)]);
      expect(runs).toHaveLength(1);
      const started = [...a, ...b].filter((outcome) => outcome.action === 'started');
      expect(started).toEqual([expect.objectContaining({ name: 'spring.csv', runId: runs[0] })]);
      expect(await names(container, 'manifests/')).toEqual(['manifests/processed/spring.csv']);
      const props = await container.getBlockBlobClient('manifests/processed/spring.csv').getProperties();
      expect(props.metadata?.runid).toBe(runs[0]);
      const run = await runtime.runStore.get(runs[0]!);
      expect(run).toMatchObject({ manifest: 'spring.csv', origin: 'drop:spring.csv', total: 3 });

      // A restart: a new ledger object, same Redis; the same bytes dropped under another name.
      await drop(container, 'spring-again.csv', GOOD);
      const again = await scanDrops({ ...deps, ledger: new IngestLedger(runtime.redis, runtime.runStore.keys.base) });
      expect(again).toEqual([expect.objectContaining({ name: 'spring-again.csv', action: 'duplicate', earlierRunId: runs[0] })]);
      expect(runs).toHaveLength(1);
      expect(await names(container, 'manifests/')).toEqual(['manifests/processed/spring-again.csv', 'manifests/processed/spring.csv']);
      const dupProps = await container.getBlockBlobClient('manifests/processed/spring-again.csv').getProperties();
      expect(dupProps.metadata).toMatchObject({ duplicate: 'true', runid: runs[0] });
      // Said with the earlier file's name and run, not the ledger's source id (blob name plus etag).
      expect(describeDrop(again[0]!)).toBe(`duplicate blob spring-again.csv: same content as blob spring.csv (run ${runs[0]}); moved to processed/, no new run`);
      expect(decodeURIComponent(dupProps.metadata!.note!)).toBe(`same content as blob spring.csv (run ${runs[0]}); no new run`);
    } finally {
      await runtime.close();
    }
  });

  it('a drop whose run started but whose move failed is moved by the next pass, with no second run', async () => {
    const { runtime, deps, container, runs } = await setup();
    try {
      const text = 'id,message,locales\nr1,Resumed,ko\n';
      await drop(container, 'resume.csv', text);
      let etag = '';
      // As the scanner sees it: the listing's etag.
      for await (const blob of container.listBlobsFlat({ prefix: 'manifests/incoming/resume.csv' })) etag = blob.properties.etag ?? '';
      // As left by a scanner that started the run and then crashed before moving the blob.
      await deps.ledger.recordRun(createHash('sha256').update(text).digest('hex'), `blob:resume.csv@${etag}`, 'run-earlier');
      const outcomes = await scanDrops(deps);
      expect(outcomes).toEqual([expect.objectContaining({ name: 'resume.csv', action: 'skipped', runId: 'run-earlier' })]);
      expect(runs).toHaveLength(0);
      expect(await names(container, 'manifests/')).toEqual(['manifests/processed/resume.csv']);
      expect((await container.getBlockBlobClient('manifests/processed/resume.csv').getProperties()).metadata?.runid).toBe('run-earlier');
    } finally {
      await runtime.close();
    }
  });

  it('a claim left by a scanner that died mid-ingest is respected while fresh and taken over once stale', async () => {
    const { runtime, deps, container, runs } = await setup();
    try {
      const text = 'id,message,locales\ns1,Stranded,ja\n';
      await drop(container, 'stranded.csv', text);
      let etag = '';
      for await (const blob of container.listBlobsFlat({ prefix: 'manifests/incoming/stranded.csv' })) etag = blob.properties.etag ?? '';
      const ledger = new IngestLedger(runtime.redis, runtime.runStore.keys.base, STALE_MS);
      // As left by a scanner killed after its claim, before its run started: no run, no more heartbeats.
      expect(await ledger.claim(createHash('sha256').update(text).digest('hex'), `blob:stranded.csv@${etag}`)).toEqual({});
      const fresh = await scanDrops({ ...deps, ledger });
      expect(fresh).toEqual([expect.objectContaining({ name: 'stranded.csv', action: 'skipped', message: expect.stringContaining('another scanner is ingesting') as string })]);
      expect(runs).toHaveLength(0);
      await sleep(STALE_MS + 200);
      const stale = await scanDrops({ ...deps, ledger });
      expect(stale).toEqual([expect.objectContaining({ name: 'stranded.csv', action: 'started', runId: runs[0] })]);
      expect(runs).toHaveLength(1);
      expect(await names(container, 'manifests/')).toEqual(['manifests/processed/stranded.csv']);
      expect(await ledger.get(createHash('sha256').update(text).digest('hex'))).toMatchObject({ runId: runs[0] });
    } finally {
      await runtime.close();
    }
  });

  it('a scanner whose run takes longer than the staleness keeps its claim alive with heartbeats', async () => {
    const { runtime, deps, container, runs } = await setup();
    try {
      await drop(container, 'slow.csv', 'id,message,locales\ns1,Slow to enqueue,ko\n');
      const ledger = new IngestLedger(runtime.redis, runtime.runStore.keys.base, STALE_MS);
      const slow: StartRun = async (path, origin) => {
        await sleep(STALE_MS + 1_000);
        return deps.startRun(path, origin);
      };
      const first = scanDrops({ ...deps, ledger, heartbeatMs: 100, startRun: slow });
      await sleep(STALE_MS + 200);
      // Well past the staleness, but the first scanner is alive and beating: the second leaves it alone.
      const second = await scanDrops({ ...deps, ledger: new IngestLedger(runtime.redis, runtime.runStore.keys.base, STALE_MS) });
      expect(second).toEqual([expect.objectContaining({ name: 'slow.csv', action: 'skipped' })]);
      expect(await first).toEqual([expect.objectContaining({ name: 'slow.csv', action: 'started' })]);
      expect(runs).toHaveLength(1);
    } finally {
      await runtime.close();
    }
  });

  it('a file left in processing/ by a scanner that died goes back to incoming/ once stale, and is ingested', async () => {
    const { runtime, deps, runs } = await setup();
    try {
      const root = await mkdtemp(join(tmpdir(), 'pg-drops-'));
      await mkdir(join(root, 'processing'), { recursive: true });
      const text = 'id,message,locales\nd1,Left behind,hi\n';
      const stranded = join(root, 'processing', 'left.csv');
      await writeFile(stranded, text);
      const ledger = new IngestLedger(runtime.redis, runtime.runStore.keys.base, STALE_MS);
      await ledger.claim(createHash('sha256').update(text).digest('hex'), 'dir:left.csv@dead-scanner');
      const dirDeps = { ...deps, ledger, container: undefined, dropDir: root };
      // Touched just now (its claimant's last heartbeat): not stranded yet.
      expect(await scanDrops(dirDeps)).toEqual([]);
      expect(await readdir(join(root, 'processing'))).toEqual(['left.csv']);
      const past = new Date(Date.now() - 10_000);
      await utimes(stranded, past, past);
      await sleep(STALE_MS + 200);
      expect(await scanDrops(dirDeps)).toEqual([expect.objectContaining({ name: 'left.csv', action: 'started' })]);
      expect(runs).toHaveLength(1);
      expect(await readdir(join(root, 'processing'))).toEqual([]);
      expect((await readdir(join(root, 'processed'))).sort()).toEqual(['left.csv', 'left.csv.note.txt']);
    } finally {
      await runtime.close();
    }
  });

  it('moves a broken manifest to rejected/ with its issues, line:column, in <name>.errors.txt', async () => {
    const { runtime, deps, container, runs } = await setup();
    try {
      const broken = 'id,message,locales\nm1,Hello,xx\nm1,,ja\n';
      await drop(container, 'broken.csv', broken);
      const outcomes = await scanDrops(deps);
      expect(outcomes).toEqual([expect.objectContaining({ name: 'broken.csv', action: 'rejected' })]);
      expect(runs).toHaveLength(0);
      expect(await names(container, 'manifests/')).toEqual(['manifests/rejected/broken.csv', 'manifests/rejected/broken.csv.errors.txt']);
      const text = (await container.getBlockBlobClient('manifests/rejected/broken.csv.errors.txt').downloadToBuffer()).toString('utf8');
      const lines = text.trim().split('\n');
      expect(lines.filter((line) => /^broken\.csv:\d+:\d+: error: /.test(line)).length).toBeGreaterThanOrEqual(2);
      expect(text).toMatch(/^broken\.csv:2:\d+: error: /m);
      expect(text).toMatch(/^broken\.csv:3:\d+: error: /m);
      // Rejected content is not remembered: fixed or not, a new drop is validated again.
      expect(await deps.ledger.get(createHash('sha256').update(broken).digest('hex'))).toBeUndefined();
    } finally {
      await runtime.close();
    }
  });

  it('a local drop folder: atomic rename claim, processed/ and rejected/', async () => {
    const { runtime, deps, runs } = await setup();
    try {
      const root = await mkdtemp(join(tmpdir(), 'pg-drops-'));
      await mkdir(join(root, 'incoming'), { recursive: true });
      await writeFile(join(root, 'incoming', 'local.csv'), 'id,message,locales\nl1,Local offer,bn\n');
      await writeFile(join(root, 'incoming', 'bad.csv'), 'id,message,locales\nl1,Hi,zz\n');
      const dirDeps = { ...deps, container: undefined, dropDir: root };
      const [a, b] = await Promise.all([scanDrops(dirDeps), scanDrops(dirDeps)]);
      const all = [...a, ...b];
      expect(all.filter((outcome) => outcome.action === 'started')).toHaveLength(1);
      expect(all.filter((outcome) => outcome.action === 'rejected')).toHaveLength(1);
      expect(runs).toHaveLength(1);
      expect(await readdir(join(root, 'incoming'))).toEqual([]);
      expect(await readdir(join(root, 'processing'))).toEqual([]);
      expect((await readdir(join(root, 'processed'))).sort()).toEqual(['local.csv', 'local.csv.note.txt']);
      expect(await readFile(join(root, 'rejected', 'bad.csv.errors.txt'), 'utf8')).toMatch(/^bad\.csv:2:\d+: error: /m);
    } finally {
      await runtime.close();
    }
  });
});

describe('polyglyph scan', () => {
  it('one pass from the CLI starts a run for a dropped blob and prints it', async () => {
    const { config, runtime, container } = await setup();
    try {
      await drop(container, 'cli.csv', 'id,message,locales\nc1,From the CLI,ja\n');
      const env = {
        REDIS_URL: config.redisUrl,
        POLYGLYPH_QUEUE_PREFIX: config.queuePrefix,
        AZURE_OPENAI_ENDPOINT: API_URL,
        AZURE_OPENAI_API_KEY: 'k',
        AZURE_STORAGE_CONNECTION_STRING: services.azurite.connectionString,
        POLYGLYPH_CONTAINER: config.container,
      };
      const result = await runCli(['scan'], env);
      expect(result.code).toBe(0);
      const runId = /^started blob cli\.csv -> run (\S+)$/m.exec(result.stdout)?.[1];
      expect(runId).toBeDefined();
      expect(await runtime.runStore.get(runId!)).toMatchObject({ origin: 'drop:cli.csv', total: 1 });
      expect(await names(container, 'manifests/')).toEqual(['manifests/processed/cli.csv']);
      expect((await runCli(['scan'], env)).stdout).toBe('no manifests dropped\n');
    } finally {
      await runtime.close();
    }
  });
});

describe('schedules', () => {
  it('add, list and remove', async () => {
    const { config, runtime } = await setup();
    const queue = openScheduleQueue(runtime.redis, config);
    try {
      await addSchedule(queue, 'nightly', { cron: '0 2 * * *', tz: 'Europe/Berlin', job: { kind: 'scan' } });
      await addSchedule(queue, 'weekly', { cron: '0 3 * * 1', job: { kind: 'manifest', manifest: 'manifests/weekly.csv' } });
      const listed = await listSchedules(queue);
      expect(listed.map((s) => s.name).sort()).toEqual(['nightly', 'weekly']);
      expect(listed.find((s) => s.name === 'nightly')).toMatchObject({ cron: '0 2 * * *', tz: 'Europe/Berlin', kind: 'scan' });
      expect(listed.find((s) => s.name === 'weekly')).toMatchObject({ kind: 'manifest', manifest: 'manifests/weekly.csv' });
      await expect(addSchedule(queue, 'bad', { cron: 'not a cron', job: { kind: 'scan' } })).rejects.toThrow(/cron/);
      await expect(addSchedule(queue, 'badtz', { cron: '0 2 * * *', tz: 'Mars/Olympus', job: { kind: 'scan' } })).rejects.toThrow(/time zone/);
      expect(await removeSchedule(queue, 'nightly')).toBe(true);
      expect(await removeSchedule(queue, 'nightly')).toBe(false);
      expect((await listSchedules(queue)).map((s) => s.name)).toEqual(['weekly']);
    } finally {
      await queue.close();
      await runtime.close();
    }
  });

  it('a schedule every second fires once per slot with two scheduler workers', async () => {
    const { config, runtime } = await setup();
    const queue = openScheduleQueue(runtime.redis, config);
    const seen: Array<{ worker: number; id: string; slot: number }> = [];
    const handler = (worker: number) => (job: Job<ScheduleJobData>) => {
      seen.push({ worker, id: job.id ?? '', slot: job.timestamp + (job.opts.delay ?? 0) });
      return Promise.resolve('ok');
    };
    const workers = [createScheduleWorker(runtime.redis, config, handler(1)), createScheduleWorker(runtime.redis, config, handler(2))];
    try {
      await addSchedule(queue, 'every-second', { cron: '* * * * * *', job: { kind: 'scan' } });
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      await removeSchedule(queue, 'every-second');
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await queue.close();
      await runtime.close();
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThanOrEqual(5);
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(seen.length);
    expect(new Set(seen.map((entry) => entry.slot)).size).toBe(seen.length);
  });

  it('a fired job: scan runs a pass, manifest starts a run of a blob', async () => {
    const { deps, runtime, container, runs } = await setup();
    try {
      const handle = scheduledJobHandler({ scan: deps, startRun: deps.startRun });
      await drop(container, 'tick.csv', 'id,message,locales\nt1,Tick,ja\n');
      expect(await handle({ data: { schedule: 's', kind: 'scan' } } as Job<ScheduleJobData>)).toMatch(/^started tick\.csv /);
      await container.getBlockBlobClient('manifests/weekly.csv').uploadData(Buffer.from('id,message,locales\nw1,Weekly,ko\n'));
      const runId = await handle({ data: { schedule: 'weekly', kind: 'manifest', manifest: 'manifests/weekly.csv' } } as Job<ScheduleJobData>);
      expect(runs).toHaveLength(2);
      expect(runId).toBe(runs[1]);
      expect(await runtime.runStore.get(runId)).toMatchObject({ manifest: 'weekly.csv', origin: 'schedule:weekly', total: 1 });
    } finally {
      await runtime.close();
    }
  });

  it('CLI: a `polyglyph scheduler` process runs a scan when its schedule fires, serves health and drop metrics, and stops on SIGTERM', async () => {
    const { config, runtime, container } = await setup();
    const queue = openScheduleQueue(runtime.redis, config);
    const healthPort = await freePort();
    const scheduler = spawnPolyglyph(['scheduler', '--health-port', String(healthPort)], {
      REDIS_URL: config.redisUrl,
      POLYGLYPH_QUEUE_PREFIX: config.queuePrefix,
      AZURE_OPENAI_ENDPOINT: API_URL,
      AZURE_OPENAI_API_KEY: 'k',
      AZURE_STORAGE_CONNECTION_STRING: services.azurite.connectionString,
      POLYGLYPH_CONTAINER: config.container,
      POLYGLYPH_LOG_LEVEL: 'warn',
    });
    try {
      await drop(container, 'timed.csv', 'id,message,locales\nt1,Timed,hi\n');
      await addSchedule(queue, 'tick', { cron: '* * * * * *', job: { kind: 'scan' } });
      await waitUntil(async () => (await names(container, 'manifests/')).includes('manifests/processed/timed.csv'), 'the scheduler to ingest the drop', 30_000).catch((error: unknown) => {
        throw new Error(`${String(error)}; scheduler output:\n${scheduler.output()}`);
      });
      const runId = (await container.getBlockBlobClient('manifests/processed/timed.csv').getProperties()).metadata?.runid;
      expect(await runtime.runStore.get(runId ?? '')).toMatchObject({ origin: 'drop:timed.csv' });

      const health = `http://127.0.0.1:${healthPort}`;
      const ready = await fetch(`${health}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: { ok: true }, storage: { ok: true }, scheduler: { ok: true } } });
      const samples = parseSamples(await (await fetch(`${health}/metrics`)).text());
      expect(sampleValue(samples, 'polyglyph_drops_total', { action: 'started', where: 'blob' })).toBe(1);
      expect(sampleValue(samples, 'polyglyph_drops_total', { action: 'rejected', where: 'blob' })).toBe(0);
      expect(sampleValue(samples, 'polyglyph_scheduled_jobs_total', { schedule: 'tick', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    } finally {
      await removeSchedule(queue, 'tick');
      // One SIGTERM, as an orchestrator sends: the scheduler closes and exits 0.
      scheduler.signal('SIGTERM');
      const code = await Promise.race([scheduler.exitCode, sleep(15_000).then(() => 'still running')]);
      if (code !== 0) await scheduler.kill();
      expect(code, scheduler.output()).toBe(0);
      await queue.close();
      await runtime.close();
    }
  }, 60_000);

  it('CLI: schedule add, list, remove', async () => {
    const config = testConfig({ redisUrl: services.redis.url, apiUrl: API_URL, storage: services.azurite.connectionString, container: uniqueContainerName('drops') });
    const env = { REDIS_URL: config.redisUrl, POLYGLYPH_QUEUE_PREFIX: config.queuePrefix };
    const added = await runCli(['schedule', 'add', 'nightly', '--cron', '0 2 * * *', '--tz', 'Europe/Berlin', '--scan'], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^next three fire times \(Europe\/Berlin\): \d{4}-\d\d-\d\d 02:00, \d{4}-\d\d-\d\d 02:00, \d{4}-\d\d-\d\d 02:00$/m);
    const listed = await runCli(['schedule', 'list'], env);
    expect(listed.stdout).toMatch(/^nightly\t0 2 \* \* \* \(Europe\/Berlin\)\tscan/m);
    expect((await runCli(['schedule', 'remove', 'nightly'], env)).code).toBe(0);
    expect((await runCli(['schedule', 'list'], env)).stdout).toBe('no schedules\n');
    const both = await runCli(['schedule', 'add', 'x', '--cron', '0 2 * * *'], env);
    expect(both.code).toBe(2);
    // Six CLI processes, ~5 s each on two loaded cores: well within a third of this limit.
  }, 120_000);
});
