// One Polyglyph scenario: stand-in(s), workers started and registered, the manifest enqueued, wait
// until the run's record says every item has settled (settling happens after the image and its
// sidecar are uploaded, so no extra drain is needed), then SIGTERM the workers and read the log.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { Queue } from 'bullmq';
import type { RedisClient } from '../../src/redis/connection.js';
import { RunStore, isRunComplete, type RunRecord } from '../../src/runs/run-store.js';
import { pacedImagesPerMinute } from '../../src/deployments/paced-rate.js';
import { CleanupStack, pollUntil } from './lifecycle.js';
import { benchItems, writeManifest } from './manifest.js';
import type { Observation } from './metrics.js';
import { WorkerProcess, enqueue, type PolyglyphEnvironment, type WorkerExit } from './polyglyph-processes.js';
import type { BenchSettings } from './settings.js';
import type { MockImageApi } from '../../src/mock-api/server.js';
import { API_KEY, API_VERSION, DEPLOYMENT, startStandIn } from './stand-in.js';

/** Polyglyph's default queue name; the per-scenario prefix is what keeps scenarios apart. */
const QUEUE_NAME = 'images';
// Generous: on a machine at load 30-40 (2 cores shared by several sessions) three workers took over a minute to boot.
const WORKER_READY_TIMEOUT_MS = 180_000;
const POOL_REGION_NAMES = ['east', 'west', 'north', 'south', 'central'];

export interface PolyglyphServices {
  redisUrl: string;
  /** The bench's own connection, for reading run records and counting registered workers. */
  redis: RedisClient;
  storageConnectionString: string;
}

export interface PolyglyphScenarioSpec {
  /** Short name: queue prefix and container derive from it. */
  key: string;
  items: number;
  workers: number;
  concurrencyPerWorker: number;
  /** One stand-in per entry, each with this quota; more than one makes a pool. */
  standInQuotas: readonly number[];
  /** POLYGLYPH_IMAGES_PER_MINUTE; the pool leaves it unset because its file carries each deployment's quota. */
  configuredImagesPerMinute?: number;
  /**
   * The quota raised on the service mid-run: `afterMs` after the run starts the (single) stand-in's
   * quota becomes `toImagesPerMinute`; the observation's window is then the minute ending
   * `windowEndMs` after the raise, measured against the new quota.
   */
  raise?: { afterMs: number; toImagesPerMinute: number; windowEndMs: number };
}

export type PolyglyphOutcome = { kind: 'measured'; observation: Observation; timedOut: boolean; notes: string[] } | { kind: 'not-available'; reason: string };

/** The pool's worker refused its configuration: the deployments file is not supported (yet). */
class PoolNotSupported extends Error {}

export async function runPolyglyphScenario(spec: PolyglyphScenarioSpec, settings: BenchSettings, services: PolyglyphServices, interrupted: AbortSignal): Promise<PolyglyphOutcome> {
  const cleanup = new CleanupStack();
  const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const pool = spec.standInQuotas.length > 1;
  try {
    const dir = await mkdtemp(join(tmpdir(), `polyglyph-bench-${spec.key}-`));
    cleanup.defer('temporary directory', () => rm(dir, { recursive: true, force: true }));
    const manifest = join(dir, `${spec.key}.csv`);
    await writeManifest(manifest, benchItems(spec.items, spec.key));

    const standIns: MockImageApi[] = [];
    for (const quota of spec.standInQuotas) standIns.push(await startStandIn(settings, quota, cleanup));

    const environment: PolyglyphEnvironment = {
      REDIS_URL: services.redisUrl,
      POLYGLYPH_QUEUE_PREFIX: `bench-quota-${spec.key}-${suffix}`,
      POLYGLYPH_CONTAINER: `bench-${spec.key}-${suffix}`.toLowerCase().slice(0, 63),
      AZURE_STORAGE_CONNECTION_STRING: services.storageConnectionString,
      AZURE_OPENAI_API_KEY: API_KEY,
      AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT,
      POLYGLYPH_CONCURRENCY: String(spec.concurrencyPerWorker),
      ...(spec.configuredImagesPerMinute === undefined ? {} : { POLYGLYPH_IMAGES_PER_MINUTE: String(spec.configuredImagesPerMinute) }),
    };
    if (pool) {
      // The interface the pool feature is being written against; AZURE_OPENAI_ENDPOINT stays unset, as the file replaces it.
      const deploymentsFile = join(dir, 'deployments.json');
      const deployments = standIns.map((api, index) => ({
        name: POOL_REGION_NAMES[index] ?? `region-${index + 1}`,
        endpoint: api.url,
        deployment: DEPLOYMENT,
        apiKey: API_KEY,
        apiVersion: API_VERSION,
        imagesPerMinute: spec.standInQuotas[index],
      }));
      await writeFile(deploymentsFile, JSON.stringify({ deployments }, null, 2));
      environment.POLYGLYPH_DEPLOYMENTS_FILE = deploymentsFile;
    } else {
      environment.AZURE_OPENAI_ENDPOINT = standIns[0]!.url;
    }

    // Workers first, so the clock starts when the work appears, not while Node and tsx boot.
    const spawnedAt = Date.now();
    const workers = Array.from({ length: spec.workers }, (_, index) => new WorkerProcess(index + 1, environment));
    cleanup.defer('workers', async () => void (await Promise.all(workers.map((worker) => worker.stop()))));
    try {
      await waitForWorkers(workers, environment.POLYGLYPH_QUEUE_PREFIX, services.redis, interrupted);
    } catch (error) {
      if (error instanceof PoolNotSupported && pool) return { kind: 'not-available', reason: `pool: not available (POLYGLYPH_DEPLOYMENTS_FILE not supported yet): ${error.message}` };
      throw error;
    }

    const readyAt = Date.now();
    const runId = await enqueue(manifest, environment, interrupted);
    const enqueuedAt = Date.now();
    const runStore = new RunStore(services.redis, environment.POLYGLYPH_QUEUE_PREFIX, QUEUE_NAME);
    const idealMs = (spec.items / sum(spec.standInQuotas)) * 60_000;
    let run: RunRecord | undefined;
    let raisedAt: number | undefined;
    // What the workers were allowed to send (configured or learned, summed over the deployments),
    // sampled with every poll: set against what reached the stand-in, it shows whether the workers
    // kept up with their own pacing on a loaded machine (fewer 429s because too few requests went out
    // would otherwise look like good learning).
    const paced = pool
      ? spec.standInQuotas.map((quota, index) => ({ name: POOL_REGION_NAMES[index] ?? `region-${index + 1}`, configured: quota }))
      : [{ name: DEPLOYMENT, configured: spec.configuredImagesPerMinute ?? spec.standInQuotas[0]! }];
    const pacedSamples: Array<{ at: number; perMinute: number }> = [];
    const raiseTimer =
      spec.raise &&
      setTimeout(() => {
        standIns[0]!.configure({ imagesPerMinute: spec.raise!.toImagesPerMinute });
        raisedAt = Date.now();
      }, spec.raise.afterMs);
    cleanup.defer('raise timer', () => Promise.resolve(clearTimeout(raiseTimer)));
    const finished = await pollUntil(
      async () => {
        run = await runStore.get(runId);
        const rates = await Promise.all(paced.map((deployment) => pacedImagesPerMinute(services.redis, runStore.keys.base, deployment.name, deployment.configured)));
        pacedSamples.push({ at: Date.now(), perMinute: sum(rates) });
        if (run && isRunComplete(run)) return true;
        if (workers.every((worker) => worker.hasExited)) throw new Error(`every worker exited before the run finished:\n${workers.map(describeWorker).join('\n')}`);
        return false;
      },
      { deadline: Date.now() + 60_000 + 4 * idealMs + (spec.raise?.afterMs ?? 0), intervalMs: 200, signal: interrupted },
    );
    // Stats first: nothing after the run's last settle belongs to the measurement.
    const stats = standIns.map((api) => api.stats());
    const settledAt = Date.now();
    const exits = await Promise.all(workers.map((worker) => worker.stop()));
    const record = run ?? { startedAt: Date.now(), total: spec.items, settled: 0, itemsFailed: 0, imagesCreated: 0, imagesExisting: 0 };

    const notes = [
      `run ${runId}: ${record.settled}/${record.total} settled, ${record.imagesCreated} created, ${record.imagesExisting} existing, ${record.itemsFailed} failed${finished ? '' : ' (TIMED OUT)'}`,
      await describeContainer(services.storageConnectionString, environment.POLYGLYPH_CONTAINER),
      `workers x${spec.workers}, concurrency ${spec.concurrencyPerWorker} each; ${describeExits(exits)}`,
      `phases: workers registered ${seconds(readyAt - spawnedAt)}, enqueue command ${seconds(enqueuedAt - readyAt)}, run start -> all settled ${seconds(settledAt - record.startedAt)}`,
      ...workerLogSummary(workers),
    ];
    const window = spec.raise && raisedAt !== undefined ? { fromMs: raisedAt + spec.raise.windowEndMs - 60_000, toMs: raisedAt + spec.raise.windowEndMs } : undefined;
    if (spec.raise)
      notes.push(
        raisedAt === undefined
          ? 'the quota was never raised (the run ended first)'
          : `quota raised to ${spec.raise.toImagesPerMinute}/min ${seconds(raisedAt - record.startedAt)} after the run started; measured window: ${seconds(spec.raise.windowEndMs - 60_000)} to ${seconds(spec.raise.windowEndMs)} after the raise`,
      );
    if (pool) {
      const quotaSum = sum(spec.standInQuotas);
      const shares = stats.map(
        (s, index) =>
          `${POOL_REGION_NAMES[index]} ${s.imagesGenerated} images (${percent(s.imagesGenerated / Math.max(1, sum(stats.map((x) => x.imagesGenerated))))}; quota share ${percent(spec.standInQuotas[index]! / quotaSum)}), ${s.rateLimited} 429s`,
      );
      notes.push(`per deployment: ${shares.join('; ')}`);
    }
    return {
      kind: 'measured',
      timedOut: !finished,
      notes,
      observation: {
        items: spec.items,
        quotaPerMinute: spec.raise?.toImagesPerMinute ?? sum(spec.standInQuotas),
        startedAt: record.startedAt,
        window,
        stats,
        pacedSamples,
        // Unsettled items (a timeout) count as failed: the user did not get them.
        failedItems: record.itemsFailed + Math.max(0, spec.items - record.settled),
      },
    };
  } finally {
    await cleanup.runAll();
  }
}

/**
 * Until every worker has registered its BullMQ connection in RedisClient (so it is ready to take jobs).
 * A worker that exits first has refused its configuration: for the pool, that is the sign the
 * deployments file is not supported yet (exit code 2 is Polyglyph's bad-configuration code).
 */
async function waitForWorkers(workers: readonly WorkerProcess[], prefix: string, redis: RedisClient, interrupted: AbortSignal): Promise<void> {
  // BullMQ does not close a connection it was given, so this one is ours to quit.
  const connection = redis.duplicate();
  const queue = new Queue(QUEUE_NAME, { connection, prefix });
  try {
    const ready = await pollUntil(
      async () => {
        const gone = workers.find((worker) => worker.hasExited);
        if (gone) {
          const message = `worker ${gone.index} exited with ${gone.exitCode} while starting: ${gone.output
            .text()
            .split('\n')
            .slice(-2)
            .map((line) => line.trim())
            .join(' ')}`;
          throw gone.exitCode === 2 ? new PoolNotSupported(message) : new Error(`${message}\n${gone.output.text()}`);
        }
        return (await queue.getWorkersCount()) >= workers.length;
      },
      { deadline: Date.now() + WORKER_READY_TIMEOUT_MS, intervalMs: 100, signal: interrupted },
    );
    if (!ready) throw new Error(`workers did not register with Redis within ${WORKER_READY_TIMEOUT_MS / 1000} s:\n${workers.map(describeWorker).join('\n')}`);
  } finally {
    await queue.close();
    await connection.quit();
  }
}

/** Images (png, jpg, webp) and sidecars in the container, plus the names of anything else found there. */
async function describeContainer(connectionString: string, container: string): Promise<string> {
  const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
  let images = 0;
  let sidecars = 0;
  const other: string[] = [];
  for await (const blob of client.listBlobsFlat()) {
    if (/\.(png|jpg|webp)$/.test(blob.name)) images += 1;
    else if (/\.(png|jpg|webp)\.json$/.test(blob.name)) sidecars += 1;
    else other.push(blob.name);
  }
  return `container: ${images} images, ${sidecars} sidecars${other.length === 0 ? '' : `, other: ${other.slice(0, 5).join(', ')}${other.length > 5 ? ', ...' : ''}`}`;
}

function describeWorker(worker: WorkerProcess): string {
  return `worker ${worker.index} (${worker.hasExited ? `exited ${worker.exitCode}` : 'running'}): ${worker.output.text()}`;
}

function describeExits(exits: readonly WorkerExit[]): string {
  const stopTimes = exits.map((exit) => (exit.stopMs === undefined ? 'had exited' : `${(exit.stopMs / 1000).toFixed(1)} s`));
  const codes = exits.map((exit) => exit.code ?? exit.signal);
  return `after SIGTERM: exit ${codes.join('/')} in ${stopTimes.join('/')}`;
}

/** Warnings and errors the workers logged, by message, across all workers. */
function workerLogSummary(workers: readonly WorkerProcess[]): string[] {
  const totals = new Map<string, number>();
  for (const worker of workers) for (const [message, count] of worker.logCounts) totals.set(message, (totals.get(message) ?? 0) + count);
  if (totals.size === 0) return ['worker log (warn and above): nothing'];
  return [`worker log (warn and above): ${[...totals].map(([message, count]) => `${count}x "${message}"`).join('; ')}`];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}%`;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
