/**
 * Quota utilisation: how close Polyglyph keeps an image deployment to exactly its quota, against
 * what users write without it. Azure's gpt-image-2 allows single-digit images per minute and takes
 * tens of seconds per image, so a run lasts as long as the quota says only if every admission slot
 * is used and none is wasted on a 429. Every scenario talks to the in-process stand-in API, whose
 * server-side request log gives the numbers:
 *
 *   util     steady-state images/min / quota: the least-squares slope of images answered over time,
 *            first and last 10% of the successful responses dropped (warm-up and tail)
 *   429s/req 429 responses / requests
 *   /(N/Q)   makespan (work available -> last image answered) / (N / quota); the floor is
 *            ((N-1)/Q + mean latency) / (N/Q), since the last admitted image still takes its latency.
 *            Work available: before the first fetch (baselines); the run's start as `enqueue`
 *            records it, with the workers already up and registered (Polyglyph)
 *   failed   items the user did not get
 *   sent/paced  requests/min that reached the stand-in (any status) / the rate the workers were paced
 *            at (configured or learned, sampled from Redis), both over the steady window: well under
 *            1 means the workers did not keep up with their own pacing (a starved machine), and then a
 *            low 429 share proves nothing. The notes add the stand-in's achieved latency against the
 *            one it was told and this process's event-loop delay.
 *
 *   npm run bench:quota                              # defaults: N=60, Q=60/min, latency 3-6 s
 *   npm run bench:quota -- --n 30 --only polyglyph-1,pool
 *
 * Exits non-zero only when a scenario crashed, never for a missed target.
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startAzurite } from '../src/local-services/azurite.js';
import { createRedis } from '../src/redis/connection.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { CleanupStack, abortOnSignals } from './quota/lifecycle.js';
import type { PolyglyphServices } from './quota/polyglyph-scenarios.js';
import { printNotes, printTable, type Row } from './quota/report.js';
import { scenarios } from './quota/scenarios.js';
import { readBenchSettings } from './quota/settings.js';

const settings = readBenchSettings(process.argv.slice(2), process.env);
if (settings === 'help') process.exit(0);

const benchStarted = Date.now();
const interrupted = abortOnSignals();
const cleanup = new CleanupStack();
const selected = scenarios(settings);
const rows: Row[] = [];

// Perfect pacing admits the last image at (N-1)/Q and it still takes its latency: ((N-1)/Q + latency) / (N/Q).
const idealMs = (settings.items / settings.imagesPerMinute) * 60_000;
const floor = (settings.items - 1) / settings.items + (settings.latencyMs + settings.jitterMs / 2) / idealMs;
console.log(
  `quota utilisation bench: N=${settings.items} images, Q=${settings.imagesPerMinute} images/min per deployment, ` +
    `stand-in latency ${settings.latencyMs}-${settings.latencyMs + settings.jitterMs} ms (mean ${settings.latencyMs + settings.jitterMs / 2}); ` +
    `ideal N/Q = ${(idealMs / 1000).toFixed(0)} s, makespan ratio floor ~${floor.toFixed(2)}`,
);
for (const scenario of selected) console.log(`  ${scenario.label}: ${scenario.describe()}`);

let services: PolyglyphServices | undefined;
async function startServices(): Promise<PolyglyphServices> {
  // No AOF: the bench measures pacing, not durability, and fsync-always would add latency to every job.
  // allSettled, not all: when one fails to start, the other must still be registered for stopping.
  const [redis, azurite] = await Promise.allSettled([startRedisServer({ appendonly: false }), startAzurite()]);
  if (redis.status === 'fulfilled') cleanup.defer('redis-server', () => redis.value.stop());
  if (azurite.status === 'fulfilled') cleanup.defer('azurite', () => azurite.value.stop());
  if (redis.status === 'rejected') throw redis.reason;
  if (azurite.status === 'rejected') throw azurite.reason;
  const client = createRedis(redis.value.url, { role: 'client' });
  cleanup.defer('redis client', async () => void (await client.quit()));
  return { redisUrl: redis.value.url, redis: client, storageConnectionString: azurite.value.connectionString };
}

/** A loaded machine can keep Azurite from answering within its 30 s: try a few times before a scenario is given up. */
async function startServicesPatiently(): Promise<PolyglyphServices> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServices();
    } catch (error) {
      await cleanup.runAll();
      if (attempt >= 3 || interrupted.aborted) throw error;
      console.log(`  services did not start (${error instanceof Error ? error.message : String(error)}); trying again`);
    }
  }
}

let crashed = false;
try {
  for (const scenario of selected) {
    const started = Date.now();
    console.log(`\n> ${scenario.label} ...`);
    try {
      if (scenario.needsServices) services ??= await startServicesPatiently();
      // The stand-in runs in this process: a starved event loop stretches its latency and delays its
      // answers, so each row says how late this process's timers ran while it was measured.
      const lag = monitorEventLoopDelay({ resolution: 20 });
      lag.enable();
      const result = await scenario.run(services, interrupted);
      lag.disable();
      if (result.kind === 'measured')
        result.notes.push(
          `bench process event-loop delay: p50 ${(lag.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms; load average ${loadavg()
            .map((x) => x.toFixed(1))
            .join(' ')}`,
        );
      rows.push({ scenario, result });
    } catch (error) {
      if (interrupted.aborted) throw error;
      crashed = true;
      rows.push({ scenario, error: error instanceof Error ? error : new Error(String(error)) });
    }
    console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
} catch (error) {
  crashed = true;
  // An aborted wait throws a bare AbortError; the signal's reason says what happened.
  const reason: unknown = interrupted.aborted ? interrupted.reason : error;
  console.error(reason instanceof Error ? reason.message : reason);
} finally {
  await cleanup.runAll();
}

console.log('');
printTable(rows);
printNotes(rows);
console.log(`\ntotal runtime ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
process.exitCode = interrupted.aborted ? process.exitCode : crashed ? 1 : 0;
// Everything we started is stopped; should a library still hold a handle, do not hang after the report (as the CLI does).
setTimeout(() => process.exit(), 3_000).unref();
