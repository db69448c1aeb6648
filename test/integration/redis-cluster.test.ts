// The whole pipeline on a real 3-master Redis Cluster that the test starts itself: a drop ingested
// once, a schedule firing a run that shares the drop's items, separate `polyglyph worker` processes
// with a pool of two deployments, one master stopped and started again (no failover) mid-run, retry,
// cancel, the dashboard, and `polyglyph run`. Everything goes through REDIS_CLUSTER_NODES: the queue
// prefix gets a {hash tag}, so every key of the queue, its runs and its deployments hash to one slot
// and every script reaches the keys it is given.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { Job } from 'bullmq';
import { Cluster } from 'ioredis';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import type { Config } from '../../src/config/settings.js';
import { startDashboard } from '../../src/dashboard/start-dashboard.js';
import { readDeploymentUsage } from '../../src/deployments/deployment-usage.js';
import { IngestLedger } from '../../src/drops/ingest-ledger.js';
import type { StartRun } from '../../src/drops/ingest-drop.js';
import { scanDrops, type ScanDeps } from '../../src/drops/scan-drops.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { cancelRun } from '../../src/runs/cancel-run.js';
import { retryFailed } from '../../src/runs/retry-run.js';
import { newRunId } from '../../src/runs/run-id.js';
import type { RunRecord } from '../../src/runs/run-store.js';
import { scheduledJobHandler } from '../../src/schedules/run-scheduled.js';
import { addSchedule, createScheduleWorker, openScheduleQueue, removeSchedule, type ScheduleJobData } from '../../src/schedules/schedules.js';
import { openWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { sharedAzurite, type SharedAzurite } from '../helpers/shared-azurite.js';
import { runCli } from '../helpers/cli.js';
import { FAULT_MANIFEST, FAULT_MANIFEST_IMAGES, FAULT_MANIFEST_ITEMS, expectEveryItemOnceAndPaidOnce, expectedItems, inFlight, spawnWorker, type WorkerChild } from '../helpers/fault-harness.js';
import { readRows, silentLogger, testConfig, waitForRun, waitUntil } from '../helpers/pipeline.js';
import { startRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.js';

let cluster: TestRedisCluster;
let azurite: SharedAzurite;
let api: MockImageApi;
let dir: string;

beforeAll(async () => {
  [cluster, azurite] = await Promise.all([startRedisCluster(), sharedAzurite()]);
  // ~0.4 s per image keeps requests in flight while a master restarts.
  api = createMockImageApi({ latencyMs: 400 });
  await api.listen();
  dir = await mkdtemp(join(tmpdir(), 'pg-cluster-'));
}, 90_000);
afterAll(async () => {
  await api?.close();
  await cluster?.stop();
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('Redis Cluster', () => {
  it('runs the whole pipeline on 3 masters, through a master restart, with every key where its scripts reach it', async () => {
    const info = await cluster.info();
    expect(info).toMatchObject({ cluster_state: 'ok', cluster_known_nodes: '3', cluster_size: '3', cluster_slots_assigned: '16384' });

    const container = uniqueContainerName('cluster');
    // A pool of two deployments on the stand-in: the acquire script takes both TAT keys at once.
    const deploymentsFile = await file(
      'deployments.json',
      JSON.stringify({
        deployments: ['east', 'west'].map((name) => ({ name, endpoint: api.url, deployment: 'gpt-image-2', imagesPerMinute: 3000, apiKey: 'test-key' })),
      }),
    );
    const config: Config = testConfig(
      { redisUrl: cluster.url, apiUrl: api.url, storage: azurite.connectionString, container },
      { REDIS_CLUSTER_NODES: cluster.nodes, POLYGLYPH_DEPLOYMENTS_FILE: deploymentsFile, POLYGLYPH_STALLED_INTERVAL_MS: '5000' },
    );
    expect(config.queuePrefix).toMatch(/^\{pg-[^}]+\}$/);
    const runtime: WorkerRuntime = await openWorkerRuntime(config, silentLogger);
    const workers: WorkerChild[] = [];
    try {
      expect(runtime.redis).toBeInstanceOf(Cluster);
      const defaults = manifestDefaults(config, { warn: () => undefined });
      const enqueue = (manifestPath: string, origin = 'test') => enqueueManifest(runtime, { runId: newRunId(), manifestPath, defaults, model: 'gpt-image-2', attempts: 3, backoffMs: 200, origin });

      // Cancel, before any worker runs: every item pending, every job removed.
      const cancelled = await enqueue(await file('cancel.csv', ['id,message,locales', 'x1,Cancelled one,ja', 'x2,Cancelled two,ko'].join('\n')));
      expect(await cancelRun(runtime, cancelled.runId, Date.now())).toEqual({ cancelled: 2, leftRunning: 0 });
      expect(await runtime.runStore.get(cancelled.runId)).toMatchObject({ settled: 2, itemsCancelled: 2, finishedAt: expect.any(Number) as number });

      // A drop, ingested exactly once (the ledger's claim script), starts run A.
      const runs: string[] = [];
      const startRun: StartRun = async (manifestPath, origin) => {
        const { runId } = await enqueue(manifestPath, origin);
        runs.push(runId);
        return { runId };
      };
      const storage: ContainerClient = runtime.blobStore.container;
      const scan: ScanDeps = { ledger: new IngestLedger(runtime.redis, runtime.runStore.keys.base), startRun, container: storage, dropPrefix: 'manifests/incoming/' };
      await storage.getBlockBlobClient('manifests/incoming/weekly.csv').uploadData(Buffer.from(FAULT_MANIFEST));
      await scanDrops(scan);
      await scanDrops(scan);
      expect(runs).toHaveLength(1);
      const runA = runs[0]!;
      const items = await expectedItems(runtime.queue);
      expect(items).toHaveLength(FAULT_MANIFEST_ITEMS);

      // A schedule fires (every second) a run of the same manifest (same name, so same campaign and job
      // ids): run B shares run A's items, and each item's settle reaches both runs.
      await storage.getBlockBlobClient('manifests/weekly.csv').uploadData(Buffer.from(FAULT_MANIFEST));
      const scheduleQueue = openScheduleQueue(runtime.redis, config);
      const handle = scheduledJobHandler({ scan, startRun });
      const fired: string[] = [];
      const scheduler = createScheduleWorker(
        runtime.redis,
        config,
        async (job: Job<ScheduleJobData>) => {
          if (fired.length > 0) return 'already fired';
          const runId = await handle(job);
          fired.push(runId);
          return runId;
        },
        silentLogger,
      );
      try {
        await addSchedule(scheduleQueue, 'weekly', { cron: '* * * * * *', job: { kind: 'manifest', manifest: 'manifests/weekly.csv' } });
        await waitUntil(() => fired.length === 1, 'the schedule to fire', 30_000);
        expect(await removeSchedule(scheduleQueue, 'weekly')).toBe(true);
      } finally {
        await scheduler.close();
        await scheduleQueue.close();
      }
      const runB = fired[0]!;
      expect(await runtime.runStore.get(runB)).toMatchObject({ origin: 'schedule:weekly', total: FAULT_MANIFEST_ITEMS });

      // Two separate worker processes, configured only by their environment.
      const workerEnv = {
        REDIS_URL: cluster.url,
        REDIS_CLUSTER_NODES: cluster.nodes,
        POLYGLYPH_QUEUE_PREFIX: config.queuePrefix,
        POLYGLYPH_DEPLOYMENTS_FILE: deploymentsFile,
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        POLYGLYPH_CONTAINER: container,
        POLYGLYPH_CONCURRENCY: '2',
        POLYGLYPH_STALLED_INTERVAL_MS: '5000',
        POLYGLYPH_BACKOFF_MS: '200',
        POLYGLYPH_LOG_LEVEL: 'warn',
      };
      workers.push(spawnWorker(workerEnv), spawnWorker(workerEnv));
      const describeWorkers = (): string => workers.map((worker, index) => `worker ${index}:\n${worker.output()}`).join('\n');

      // Mid-run, the master that holds the queue's slot stops and starts again from its nodes.conf and AOF.
      const owner = cluster.ports.indexOf(await cluster.portOf(`${config.queuePrefix}:${config.queueName}`));
      await waitUntil(async () => ((await runtime.runStore.get(runA))?.settled ?? 0) >= 2 && inFlight(api.stats()) >= 1, 'two items settled with a request in flight', 60_000).catch(
        (error: unknown) => {
          throw new Error(`${String(error)}\n${describeWorkers()}`);
        },
      );
      await cluster.stopNode(owner);
      await cluster.startNode(owner);
      expect(await cluster.info(owner)).toMatchObject({ cluster_state: 'ok', cluster_slots_assigned: '16384', cluster_known_nodes: '3' });

      const waitLong = (runId: string): Promise<RunRecord> =>
        waitForRun(runtime.runStore, runId, 90_000).catch((error: unknown) => {
          throw new Error(`${String(error)}\n${describeWorkers()}`);
        });
      const a = await waitLong(runA);
      const b = await waitLong(runB);
      const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container);
      await expectEveryItemOnceAndPaidOnce({ run: a, items, rows: await readRows(runtime.runStore, runA), blobs, stats: api.stats(), images: FAULT_MANIFEST_IMAGES });
      expect(b).toMatchObject({ total: FAULT_MANIFEST_ITEMS, settled: FAULT_MANIFEST_ITEMS, itemsFailed: 0 });
      expect(b.imagesCreated + b.imagesExisting).toBe(FAULT_MANIFEST_IMAGES);
      // The run that finished writes its report to storage.
      await waitUntil(async () => (await runtime.runStore.get(runA))?.reportBlob === `reports/${runA}.json`, 'run A report in storage', 30_000);

      // The pool spread the work over both deployments, counted in the usage hashes.
      const usage = await readDeploymentUsage(runtime.redis, runtime.runStore.keys.base);
      expect(usage.map((deployment) => deployment.name)).toEqual(['east', 'west']);
      expect(usage.reduce((sum, deployment) => sum + deployment.imagesLast60s, 0)).toBeGreaterThanOrEqual(FAULT_MANIFEST_IMAGES);

      // Retry: a blocked prompt fails, the fixed manifest's retry succeeds under the same run.
      const broken = await enqueue(await file('retry.csv', ['id,message,locales', 'r1,Hello there,ja', 'r2,Something [blocked] here,ko'].join('\n')));
      expect(await waitLong(broken.runId)).toMatchObject({ total: 2, itemsFailed: 1 });
      const fixedPath = await file('retry-fixed.csv', ['id,message,locales', 'r1,Hello there,ja', 'r2,Something nice here,ko'].join('\n'));
      expect(await retryFailed(runtime, { runId: broken.runId, manifestPath: fixedPath, defaults, model: 'gpt-image-2', attempts: 3, backoffMs: 200 })).toMatchObject({ retried: 1 });
      expect(await waitLong(broken.runId)).toMatchObject({ total: 2, settled: 2, itemsFailed: 0, imagesCreated: 2 });

      // The dashboard reads runs and deployments through the cluster client.
      const dashboard = await startDashboard({ ...config, dashboardPort: 0 }, silentLogger);
      try {
        const listed = (await (await fetch(`${dashboard.url}/api/runs`)).json()) as { runs: Array<{ id: string }> };
        expect(listed.runs.map((run) => run.id)).toEqual(expect.arrayContaining([runA, runB, cancelled.runId, broken.runId]));
        const page = await (await fetch(`${dashboard.url}/runs`)).text();
        expect(page).toContain('east');
      } finally {
        await dashboard.close();
      }

      // `polyglyph run` end to end on the cluster (its own in-process workers; the two above help).
      const cli = await runCli(['run', await file('cli.csv', ['id,message,locales', 'c1,From the command line,ja;ko'].join('\n')), '--report-dir', join(dir, 'reports')], workerEnv, 120_000);
      expect(cli.code, `${cli.stdout}\n${cli.stderr}`).toBe(0);

      // Every key Polyglyph wrote is in the one slot of its prefix's hash tag, on one master.
      const slotOwner = await cluster.portOf(config.queuePrefix);
      const perNode = await keysOnEachMaster(runtime.redis as Cluster, `${config.queuePrefix}*`);
      expect(
        Object.entries(perNode)
          .filter(([, count]) => count > 0)
          .map(([port]) => Number(port)),
      ).toEqual([slotOwner]);

      const images = (await readRows(runtime.runStore, runA)).length;
      const report = (await runtime.runStore.get(runA))?.reportBlob;
      console.log(
        `redis cluster e2e: ${info.cluster_known_nodes} masters, ${info.cluster_slots_assigned} slots assigned, prefix ${config.queuePrefix} on port ${slotOwner}; master on port ${cluster.ports[owner]} restarted mid-run; run A ${a.settled}/${a.total} items, ${images} images (${a.imagesCreated} created), report ${report}; run B (schedule) ${b.settled}/${b.total}; cancel ${cancelled.runId} 2 cancelled; retry run ${broken.runId} 0 failed; keys per master ${JSON.stringify(perNode)}`,
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await runtime.close();
    }
  }, 300_000);
});

/** How many keys matching `pattern` each master holds (port -> count). */
async function keysOnEachMaster(redis: Cluster, pattern: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const node of redis.nodes('master')) counts[String(node.options.port)] = (await node.keys(pattern)).length;
  return counts;
}
