/**
 * Soak: a long run under everything at once, and an account of what was lost, paid twice or leaked.
 *
 *   SOAK_IMAGES images (default 5,000) through the stand-in at SOAK_RATE images/min (default 1,200,
 *   the stand-in's quota and POLYGLYPH_IMAGES_PER_MINUTE), SOAK_WORKERS `polyglyph worker` processes
 *   (default 6); every 20 s one worker is SIGKILLed and a new one started in its place (the kills go
 *   round the first half of the workers, so the other half live through the whole run and their
 *   memory can be compared); Redis restarted once (AOF, at a quarter of the images); Azurite stopped
 *   for 30 s (at half); the storm faults on every request: 10% 500, 5% hangs, 2% malformed bodies.
 *
 * Prints: items lost (target 0), images generated more than once (target <= kills that had a request
 * in flight), blobs duplicated (target 0), the 429 share, utilisation (steady images/min over the
 * quota, bench:quota's measure), and each worker's RSS at 1,000 images and at the end (target <= 1.2x).
 *
 *   npm run bench:soak                    # 5,000 images, ~5 min plus start-up
 *   SOAK_IMAGES=1500 npm run bench:soak   # a shorter one
 *
 * Never part of `npm test`. Exits 1 when a target is missed, 2 when the soak could not run.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { Queue } from 'bullmq';
import { startAzurite } from '../src/local-services/azurite.js';
import { createMockImageApi } from '../src/mock-api/server.js';
import { createRedis } from '../src/redis/connection.js';
import { RunStore, isRunComplete, type RunRecord } from '../src/runs/run-store.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { CleanupStack, abortOnSignals } from './quota/lifecycle.js';
import { benchItems, writeManifest } from './quota/manifest.js';
import { steadyRate } from './quota/metrics.js';
import { WorkerProcess, enqueue, type PolyglyphEnvironment } from './quota/polyglyph-processes.js';
import { API_KEY, DEPLOYMENT } from './quota/stand-in.js';

const number = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name}: expected a positive number, got '${raw}'`);
    process.exit(2);
  }
  return value;
};

const IMAGES = Math.round(number('SOAK_IMAGES', 5_000));
const RATE = number('SOAK_RATE', 1_200);
const WORKERS = Math.round(number('SOAK_WORKERS', 6));
const KILL_EVERY_MS = number('SOAK_KILL_EVERY_MS', 20_000);
const AZURITE_DOWN_MS = number('SOAK_AZURITE_DOWN_MS', 30_000);
const LATENCY_MS = number('SOAK_LATENCY_MS', 1_000);
const JITTER_MS = number('SOAK_JITTER_MS', 1_000);
const FAULTS = { 'server-error': 0.1, hang: 0.05, malformed: 0.02 } as const;
const RSS_MARK_IMAGES = Math.min(1_000, Math.floor(IMAGES / 4));

const cleanup = new CleanupStack();
const interrupted = abortOnSignals();
const began = Date.now();
const say = (text: string): void => console.log(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${text}`);

async function rssKb(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

async function main(): Promise<number> {
  console.log(
    `soak: ${IMAGES} images at ${RATE}/min through the stand-in (latency ${LATENCY_MS}-${LATENCY_MS + JITTER_MS} ms; faults 10% 500, 5% hang, 2% malformed), ` +
      `${WORKERS} workers, one SIGKILLed every ${KILL_EVERY_MS / 1000} s, Redis restarted once (AOF), Azurite down ${AZURITE_DOWN_MS / 1000} s once`,
  );
  const [redis, azurite] = await Promise.all([startRedisServer({ appendonly: true }), startAzurite()]);
  cleanup.defer('redis-server', () => redis.stop());
  cleanup.defer('azurite', () => azurite.stop());
  const api = createMockImageApi({ deployments: [DEPLOYMENT], apiKey: API_KEY, imagesPerMinute: RATE, latencyMs: LATENCY_MS, latencyJitterMs: JITTER_MS, faultRates: FAULTS });
  await api.listen(0);
  cleanup.defer('stand-in', () => api.close());
  const dir = await mkdtemp(join(tmpdir(), 'polyglyph-soak-'));
  cleanup.defer('temporary directory', () => rm(dir, { recursive: true, force: true }));
  const manifest = join(dir, 'soak.csv');
  const items = benchItems(IMAGES, 'soak');
  await writeManifest(manifest, items);

  const inFlightAtQuota = (RATE / 60) * ((LATENCY_MS + JITTER_MS) / 1000);
  const environment: PolyglyphEnvironment = {
    REDIS_URL: redis.url,
    POLYGLYPH_QUEUE_PREFIX: `soak-${Date.now().toString(36)}`,
    POLYGLYPH_CONTAINER: `soak-${Date.now().toString(36)}`,
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    AZURE_OPENAI_ENDPOINT: api.url,
    AZURE_OPENAI_API_KEY: API_KEY,
    AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT,
    POLYGLYPH_IMAGES_PER_MINUTE: String(RATE),
    // Room for twice the requests the quota keeps in flight, plus the hung ones waiting for their timeout.
    POLYGLYPH_CONCURRENCY: String(Math.ceil((2 * inFlightAtQuota) / WORKERS) + 4),
    // A hang costs a slot until this; the stalled check hands a killed worker's jobs on.
    POLYGLYPH_REQUEST_TIMEOUT_MS: '15000',
    POLYGLYPH_STALLED_INTERVAL_MS: '10000',
    POLYGLYPH_BACKOFF_MS: '1000',
  };
  const client = createRedis(redis.url, { role: 'worker' });
  client.on('error', () => undefined);
  cleanup.defer('redis client', () => Promise.resolve(client.disconnect()));
  const store = new RunStore(client, environment.POLYGLYPH_QUEUE_PREFIX, 'images');

  const slots: WorkerProcess[] = Array.from({ length: WORKERS }, (_, index) => new WorkerProcess(index + 1, environment));
  const restarts = new Array<number>(WORKERS).fill(0);
  cleanup.defer('workers', async () => void (await Promise.all(slots.map((worker) => worker.stop()))));
  const queueConnection = client.duplicate();
  queueConnection.on('error', () => undefined);
  const queue = new Queue('images', { connection: queueConnection, prefix: environment.POLYGLYPH_QUEUE_PREFIX });
  queue.on('error', () => undefined);
  cleanup.defer('queue', async () => {
    await queue.close();
    queueConnection.disconnect();
  });
  for (const deadline = Date.now() + 120_000; (await queue.getWorkersCount()) < WORKERS; ) {
    if (Date.now() > deadline) throw new Error(`workers did not register within 120 s:\n${slots.map((w) => w.output.text()).join('\n')}`);
    interrupted.throwIfAborted();
    await sleep(200);
  }
  say(`${WORKERS} workers registered (concurrency ${environment.POLYGLYPH_CONCURRENCY} each)`);
  const runId = await enqueue(manifest, environment, interrupted);
  say(`enqueued run ${runId}`);

  let run: RunRecord | undefined;
  let kills = 0;
  let killsInFlight = 0;
  let nextKillAt = Date.now() + KILL_EVERY_MS;
  let redisRestarted = false;
  let azuriteOutage: Promise<void> | undefined;
  const rssAtMark: Array<{ pid: number | undefined; kb: number | undefined }> = [];
  const idealMs = (IMAGES / RATE) * 60_000;
  const deadline = Date.now() + 4 * idealMs + 10 * 60_000;
  for (;;) {
    interrupted.throwIfAborted();
    run = (await store.get(runId).catch(() => undefined)) ?? run;
    const done = (run?.imagesCreated ?? 0) + (run?.imagesExisting ?? 0);
    if (run && isRunComplete(run)) break;
    if (Date.now() > deadline) {
      say(`deadline passed: ${JSON.stringify(run)}`);
      break;
    }
    if (Date.now() >= nextKillAt) {
      nextKillAt += KILL_EVERY_MS;
      // Round the first half; the rest live through the run, for the memory figures.
      const slot = kills % Math.max(1, Math.floor(WORKERS / 2));
      const stats = api.stats();
      const inFlight = stats.requests - Object.values(stats.byStatus).reduce((sum, count) => sum + count, 0);
      if (inFlight > 0) killsInFlight += 1;
      await slots[slot]!.kill();
      slots[slot] = new WorkerProcess(slot + 1, environment);
      restarts[slot]! += 1;
      kills += 1;
      say(`SIGKILL worker ${slot + 1} (${inFlight} requests in flight at the stand-in); restarted; ${done}/${IMAGES} images`);
    }
    if (!redisRestarted && done >= IMAGES / 4) {
      redisRestarted = true;
      say(`restarting Redis (AOF) at ${done} images`);
      await redis.restart();
      say('Redis is back');
    }
    if (!azuriteOutage && done >= IMAGES / 2) {
      say(`stopping Azurite for ${AZURITE_DOWN_MS / 1000} s at ${done} images`);
      azuriteOutage = azurite.restart({ downMs: AZURITE_DOWN_MS }).then(() => say('Azurite is back'));
    }
    if (rssAtMark.length === 0 && done >= RSS_MARK_IMAGES) {
      for (const worker of slots) rssAtMark.push({ pid: worker.pid, kb: await rssKb(worker.pid) });
      say(`RSS at ${done} images: ${rssAtMark.map((r) => `${Math.round((r.kb ?? 0) / 1024)} MB`).join(', ')}`);
    }
    await sleep(500);
  }
  await azuriteOutage;
  const stats = api.stats();
  const rssAtEnd = await Promise.all(slots.map(async (worker) => ({ pid: worker.pid, kb: await rssKb(worker.pid) })));
  const settledAt = Date.now();

  // What is in storage: image blobs grouped by the item they belong to (metadata), sidecars aside.
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(environment.POLYGLYPH_CONTAINER);
  const blobsByItem = new Map<string, number>();
  for await (const blob of container.listBlobsFlat({ includeMetadata: true })) {
    if (blob.name.endsWith('.json') || blob.name.startsWith('reports/')) continue;
    const key = `${blob.metadata?.messageid}/${blob.metadata?.locale}/${blob.metadata?.variant}`;
    blobsByItem.set(key, (blobsByItem.get(key) ?? 0) + 1);
  }
  const lost = items.filter((item) => !blobsByItem.has(`${item.id}/${item.locale}/1`)).length;
  const duplicatedBlobs = [...blobsByItem.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  const generatedTwice = Object.values(stats.generationsByPrompt).reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  const successes = stats.requestLog.filter((entry) => entry.status === 200).sort((a, b) => a.at - b.at);
  const utilisation = steadyRate(successes) / RATE;
  const share429 = stats.requests === 0 ? 0 : stats.rateLimited / stats.requests;
  const statuses = Object.entries(stats.byStatus).map(([status, count]) => `${status}: ${count}`).join(', ');

  const checks: Array<[string, string, boolean]> = [
    ['items lost', `${lost} of ${IMAGES} (run: ${run?.settled ?? 0}/${run?.total ?? 0} settled, ${run?.itemsFailed ?? 0} failed${run?.itemsFailed ? ` ${JSON.stringify(run.failuresByCode)}` : ''})`, lost === 0],
    ['images generated more than once', `${generatedTwice} (kills: ${kills}, with a request in flight: ${killsInFlight})`, generatedTwice <= killsInFlight],
    ['blobs duplicated', String(duplicatedBlobs), duplicatedBlobs === 0],
    ['429 share', `${(share429 * 100).toFixed(2)}% (${stats.rateLimited}/${stats.requests} requests; ${statuses})`, true],
    ['utilisation', `${utilisation.toFixed(3)} (steady ${(utilisation * RATE).toFixed(0)}/min of ${RATE}/min; makespan ${((settledAt - (run?.startedAt ?? began)) / 1000).toFixed(0)} s, ideal ${(idealMs / 1000).toFixed(0)} s)`, true],
  ];
  console.log('\nsoak result');
  for (const [name, value, ok] of checks) console.log(`  ${name.padEnd(34)} ${value.padEnd(70)} ${ok ? 'PASS' : 'FAIL'}`);
  let memoryOk = true;
  for (let index = 0; index < WORKERS; index++) {
    const mark = rssAtMark[index];
    const end = rssAtEnd[index]!;
    const mb = (kb: number | undefined): string => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);
    if (!mark || mark.pid !== end.pid) {
      console.log(`  worker ${index + 1} RSS                       at ${RSS_MARK_IMAGES} images ${mb(mark?.kb)}, at the end ${mb(end.kb)} (killed and restarted ${restarts[index]}x since: not comparable)`);
      continue;
    }
    const ratio = (end.kb ?? 0) / (mark.kb ?? 1);
    memoryOk &&= ratio <= 1.2;
    console.log(`  worker ${index + 1} RSS                       at ${RSS_MARK_IMAGES} images ${mb(mark.kb)}, at the end ${mb(end.kb)}: ${ratio.toFixed(2)}x ${ratio <= 1.2 ? 'PASS' : 'FAIL'} (target <= 1.2x)`);
  }
  if (run && run.itemsFailed > 0) {
    // What the run recorded for its failed items: the cause, not just its code.
    const { rows, total } = await store.failures(runId, 20);
    console.log(`\nfailed items (${rows.length} of ${total}):`);
    for (const row of rows) console.log(`  ${row.id} ${row.locale}: ${row.errorCode} after ${row.attempts} tries: ${row.errorMessage}`);
  }
  console.log(`\ntotal ${((Date.now() - began) / 1000).toFixed(0)} s`);
  return checks.every(([, , ok]) => ok) && memoryOk ? 0 : 1;
}

main()
  .then((code) => (process.exitCode = code))
  .catch((error: unknown) => {
    console.error(interrupted.aborted ? String(interrupted.reason) : error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 2;
  })
  .finally(async () => {
    await cleanup.runAll();
    setTimeout(() => process.exit(), 3_000).unref();
  });
