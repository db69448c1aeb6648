/**
 * Soak: a long run under everything at once, and an account of what was lost, paid twice or leaked.
 *
 *   SOAK_IMAGES images (default 5,000) through the stand-in at SOAK_RATE images/min (default 1,200,
 *   the stand-in's quota and POLYGLYPH_IMAGES_PER_MINUTE), SOAK_WORKERS `polyglyph worker` processes
 *   (default 6, the built CLI as installed); every 20 s one worker is SIGKILLed and a new one started
 *   in its place (round the first half of the workers: the other half live through the whole run, so
 *   their memory can be compared); Redis restarted once (AOF, at a quarter of the images or of the
 *   chaos time, whichever comes first); Azurite stopped for 30 s (at half); the storm faults on every
 *   request: 10% 500, 5% hangs, 2% malformed.
 *
 * The chaos lasts until every item settled or SOAK_CHAOS_MIN passed; then the soak waits for what is
 * still queued to drain, for as long as items keep settling (SOAK_DRAIN_IDLE_MIN without one ends it,
 * SOAK_DRAIN_MAX_MIN in all).
 *
 * Prints: items lost (neither settled nor still queued at the end; target 0) apart from items still
 * queued, images generated more than once (target <= kills that had a request in flight), blobs
 * duplicated (target 0), the 429 share, the achieved rate against the requested one, utilisation,
 * each long-lived worker's RSS at 1,000 images and at the end (target <= 1.2x), and the CPU seconds
 * per image of each part (the stand-in, the workers, Azurite, Redis) with how busy the machine was.
 *
 *   npm run bench:soak                    # builds, then 5,000 images
 *   SOAK_IMAGES=1500 npm run bench:soak   # a shorter one (settings: bench/soak/settings.ts)
 *
 * Never part of `npm test`. Exits 1 when a target is missed, 2 when the soak could not run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { Queue } from 'bullmq';
import { deploymentKey } from '../src/deployments/deployment-keys.js';
import { startAzurite } from '../src/local-services/azurite.js';
import { createMockImageApi } from '../src/mock-api/server.js';
import { createRedis } from '../src/redis/connection.js';
import { RunStore, isRunComplete, type RunRecord } from '../src/runs/run-store.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { CleanupStack, abortOnSignals } from './quota/lifecycle.js';
import { benchItems, writeManifest } from './quota/manifest.js';
import { steadyRate } from './quota/metrics.js';
import { enqueue, type PolyglyphEnvironment } from './quota/polyglyph-processes.js';
import { API_KEY, DEPLOYMENT } from './quota/stand-in.js';
import { CpuAccount } from './soak/cpu-account.js';
import { accountForItems } from './soak/item-accounting.js';
import { printSoakReport } from './soak/report.js';
import { readSoakSettings } from './soak/settings.js';
import { WorkerFleet, type RssReading } from './soak/worker-fleet.js';

const FAULTS = { 'server-error': 0.1, hang: 0.05, malformed: 0.02 } as const;
const REGISTER_TIMEOUT_MS = 300_000;
const PROGRESS_EVERY_MS = 30_000;

const settings = ((): ReturnType<typeof readSoakSettings> => {
  try {
    return readSoakSettings(process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
})();
const RSS_MARK_IMAGES = Math.min(1_000, Math.floor(settings.images / 4));
const cleanup = new CleanupStack();
const interrupted = abortOnSignals();
const began = Date.now();
const say = (text: string): void => console.log(`[${((Date.now() - began) / 1000).toFixed(0).padStart(5)} s] ${text}`);

async function main(): Promise<number> {
  const s = settings;
  console.log(
    `soak: ${s.images} images (${s.size} ${s.format} quality ${s.quality}${s.outputCompression ? ` compression ${s.outputCompression}` : ''}, text check ${s.textCheck}) at ${s.rate}/min through the stand-in ` +
      `(latency ${s.latencyMs}-${s.latencyMs + s.jitterMs} ms; faults 10% 500, 5% hang, 2% malformed), ${s.workers} workers, one SIGKILLed every ${s.killEveryMs / 1000} s, ` +
      `Redis restarted once (AOF), Azurite down ${s.azuriteDownMs / 1000} s once; chaos for at most ${s.chaosMs / 60_000} min, then drain until ${s.drainIdleMs / 60_000} min pass without a settle (at most ${s.drainMaxMs / 60_000} min)`,
  );
  const cpu = new CpuAccount();
  const [redis, azurite] = await Promise.all([startRedisServer({ appendonly: true }), startAzurite()]);
  cleanup.defer('redis-server', () => redis.stop());
  cleanup.defer('azurite', () => azurite.stop());
  const trackServices = (): void => {
    cpu.track('redis', redis.pid);
    cpu.track('azurite', azurite.pid);
  };
  trackServices();
  const api = createMockImageApi({ deployments: [DEPLOYMENT], apiKey: API_KEY, imagesPerMinute: s.rate, latencyMs: s.latencyMs, latencyJitterMs: s.jitterMs, faultRates: FAULTS });
  await api.listen(0);
  cleanup.defer('stand-in', () => api.close());
  const dir = await mkdtemp(join(tmpdir(), 'polyglyph-soak-'));
  cleanup.defer('temporary directory', () => rm(dir, { recursive: true, force: true }));
  const manifest = join(dir, 'soak.csv');
  const items = benchItems(s.images, 'soak');
  await writeManifest(manifest, items);

  const inFlightAtQuota = (s.rate / 60) * ((s.latencyMs + s.jitterMs) / 1000);
  const tag = Date.now().toString(36);
  const environment: PolyglyphEnvironment = {
    REDIS_URL: redis.url,
    POLYGLYPH_QUEUE_PREFIX: `soak-${tag}`,
    POLYGLYPH_CONTAINER: `soak-${tag}`,
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    AZURE_OPENAI_ENDPOINT: api.url,
    AZURE_OPENAI_API_KEY: API_KEY,
    AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT,
    POLYGLYPH_IMAGES_PER_MINUTE: String(s.rate),
    // Room for twice the requests the quota keeps in flight, plus the hung ones waiting for their timeout.
    POLYGLYPH_CONCURRENCY: String(Math.ceil((2 * inFlightAtQuota) / s.workers) + 4),
    // A hang costs a slot until this. Not shorter: on a machine shared at load 30, the stand-in in this
    // process answers many ordinary requests after 15 s or more, and each abandoned one counts against
    // the breaker (five in a row hold the deployment for 60 s, doubling) and may be paid twice.
    POLYGLYPH_REQUEST_TIMEOUT_MS: '60000',
    POLYGLYPH_STALLED_INTERVAL_MS: '10000',
    POLYGLYPH_BACKOFF_MS: '1000',
    // What every image asks for and whether it is read back: options every user has (settings.ts).
    POLYGLYPH_SIZE: s.size,
    POLYGLYPH_FORMAT: s.format,
    POLYGLYPH_QUALITY: s.quality,
    POLYGLYPH_OUTPUT_COMPRESSION: s.outputCompression,
    POLYGLYPH_TEXT_CHECK: s.textCheck,
  };
  const client = createRedis(redis.url, { role: 'worker' });
  client.on('error', () => undefined);
  cleanup.defer('redis client', () => Promise.resolve(client.disconnect()));
  const store = new RunStore(client, environment.POLYGLYPH_QUEUE_PREFIX, 'images');

  const fleet = new WorkerFleet(s.workers, environment, 'built', cpu);
  cleanup.defer('workers', () => fleet.stop());
  const queue = openQueue('images', client, environment.POLYGLYPH_QUEUE_PREFIX);
  const checks = s.textCheck === 'off' ? undefined : openQueue('text-check', client, environment.POLYGLYPH_QUEUE_PREFIX);
  for (const deadline = Date.now() + REGISTER_TIMEOUT_MS; (await queue.getWorkersCount()) < s.workers; ) {
    if (Date.now() > deadline) throw new Error(`workers did not register within ${REGISTER_TIMEOUT_MS / 1000} s:\n${fleet.slots.map((w) => w.output.text()).join('\n')}`);
    interrupted.throwIfAborted();
    if (fleet.superviseExits() > 0) say(`a worker exited while starting; started again (${fleet.exitLines.at(-1)})`);
    await sleep(200);
  }
  say(`${s.workers} workers registered (concurrency ${environment.POLYGLYPH_CONCURRENCY} each)`);
  const runId = await enqueue(manifest, environment, interrupted, 'built');
  const enqueuedAt = Date.now();
  say(`enqueued run ${runId}`);

  let run: RunRecord | undefined;
  let killsInFlight = 0;
  let nextKillAt = Date.now() + s.killEveryMs;
  let redisRestarted = false;
  let azuriteOutage: Promise<void> | undefined;
  let rssAtMark: RssReading[] = [];
  let lastSettled = 0;
  let lastSettleAt = Date.now();
  let nextProgressAt = Date.now() + PROGRESS_EVERY_MS;
  let progressSettled = 0;
  const chaosEndsAt = enqueuedAt + s.chaosMs;
  let draining = false;
  for (;;) {
    interrupted.throwIfAborted();
    run = (await store.get(runId).catch(() => undefined)) ?? run;
    const done = (run?.imagesCreated ?? 0) + (run?.imagesExisting ?? 0);
    const settled = run?.settled ?? 0;
    if (settled > lastSettled) {
      lastSettled = settled;
      lastSettleAt = Date.now();
    }
    if (run && isRunComplete(run)) break;
    if (!draining && Date.now() >= chaosEndsAt) {
      draining = true;
      say(`chaos over after ${s.chaosMs / 60_000} min with ${settled}/${s.images} settled: no more kills; waiting for the rest while items keep settling`);
    }
    if (draining && Date.now() - Math.max(lastSettleAt, chaosEndsAt) >= s.drainIdleMs) {
      say(`nothing settled for ${s.drainIdleMs / 60_000} min: ending the drain with ${settled}/${s.images} settled`);
      break;
    }
    if (draining && Date.now() - chaosEndsAt >= s.drainMaxMs) {
      say(`drained for ${s.drainMaxMs / 60_000} min: ending the drain with ${settled}/${s.images} settled`);
      break;
    }
    const restarted = fleet.superviseExits();
    if (restarted > 0) say(`${restarted} worker(s) exited by themselves; started again (${fleet.exitLines.at(-1)})`);
    if (!draining && Date.now() >= nextKillAt) {
      nextKillAt += s.killEveryMs;
      const stats = api.stats();
      const inFlight = stats.requests - Object.values(stats.byStatus).reduce((sum, count) => sum + count, 0);
      if (inFlight > 0) killsInFlight += 1;
      const slot = await fleet.killNext();
      say(`SIGKILL worker ${slot + 1} (${inFlight} requests in flight at the stand-in); restarted; ${done}/${s.images} images`);
    }
    // At a quarter of the images or of the chaos, whichever comes first: a slow machine still gets both.
    const chaosShare = (Date.now() - enqueuedAt) / s.chaosMs;
    if (!draining && !redisRestarted && (done >= s.images / 4 || chaosShare >= 0.25)) {
      redisRestarted = true;
      say(`restarting Redis (AOF) at ${done} images`);
      await redis.restart();
      trackServices();
      say('Redis is back');
    }
    if (!draining && !azuriteOutage && (done >= s.images / 2 || chaosShare >= 0.5)) {
      say(`stopping Azurite for ${s.azuriteDownMs / 1000} s at ${done} images`);
      azuriteOutage = azurite.restart({ downMs: s.azuriteDownMs }).then(() => {
        trackServices();
        say('Azurite is back');
      });
    }
    if (rssAtMark.length === 0 && done >= RSS_MARK_IMAGES) {
      rssAtMark = await fleet.rss();
      say(`RSS at ${done} images: ${rssAtMark.map((r) => `${Math.round((r.kb ?? 0) / 1024)} MB`).join(', ')}`);
    }
    cpu.sample();
    if (Date.now() >= nextProgressAt) {
      const perMinute = ((settled - progressSettled) / PROGRESS_EVERY_MS) * 60_000;
      progressSettled = settled;
      nextProgressAt += PROGRESS_EVERY_MS;
      const held = await deploymentHold(client, environment.POLYGLYPH_QUEUE_PREFIX);
      say(
        `${settled}/${s.images} settled (${done} images stored, ${run?.itemsFailed ?? 0} failed); ${perMinute.toFixed(0)}/min over the last ${PROGRESS_EVERY_MS / 1000} s; ${held}; load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
    await sleep(500);
  }
  await azuriteOutage;
  const finishedAt = Date.now();
  const rssAtEnd = await fleet.rss();
  const stats = api.stats();
  const cpuTotals = cpu.totals('stand-in (+ soak)');
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(environment.POLYGLYPH_CONTAINER);
  const account = await accountForItems(items, runId, store, { images: queue, checks }, container);
  const successes = stats.requestLog.filter((entry) => entry.status === 200).sort((a, b) => a.at - b.at);
  const failures = run && run.itemsFailed > 0 ? await store.failures(runId, 20) : undefined;

  const ok = printSoakReport({
    settings: s,
    run,
    account,
    stats,
    steadyPerMinute: steadyRate(successes),
    makespanMs: lastSettleAt - enqueuedAt,
    finishedMs: finishedAt - enqueuedAt,
    kills: fleet.totalKills,
    killsInFlight,
    selfExits: fleet.totalSelfExits,
    exitLines: fleet.exitLines,
    rssMarkImages: RSS_MARK_IMAGES,
    rssAtMark,
    rssAtEnd,
    restarts: fleet.slots.map((_, slot) => fleet.kills[slot]! + fleet.selfExits[slot]!),
    cpuTotals,
    machineBusy: cpu.machineBusy(),
    elapsedSeconds: cpu.elapsedSeconds,
    failures,
    logMessages: fleet.topLogMessages(8),
  });
  console.log(`\ntotal ${((Date.now() - began) / 1000).toFixed(0)} s`);
  return ok ? 0 : 1;
}

/** What holds the deployment now (the pool's pause note: breaker, retry-after), for the progress lines. */
async function deploymentHold(client: ReturnType<typeof createRedis>, prefix: string): Promise<string> {
  const note = await client.get(deploymentKey(`${prefix}:images`, DEPLOYMENT, 'paused')).catch(() => null);
  const match = note ? /^(\d+)\|(.*)$/.exec(note) : null;
  if (!match) return 'deployment not held';
  return `deployment held ${Math.max(0, Math.round((Number(match[1]) - Date.now()) / 1000))} s more (${match[2]})`;
}

function openQueue(name: string, client: ReturnType<typeof createRedis>, prefix: string): Queue {
  const connection = client.duplicate();
  connection.on('error', () => undefined);
  const queue = new Queue(name, { connection, prefix });
  queue.on('error', () => undefined);
  cleanup.defer(`queue ${name}`, async () => {
    await queue.close();
    connection.disconnect();
  });
  return queue;
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
