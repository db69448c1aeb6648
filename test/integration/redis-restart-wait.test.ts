// Issue 13 defect 5: the commands that wait on a run (`enqueue --wait`, `status --watch`) ride out a
// Redis restart as a worker does, instead of dying with MaxRetriesPerRequestError (exit 70).
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spawnPolyglyph, type WorkerChild } from '../helpers/fault-harness.js';
import { waitUntil } from '../helpers/pipeline.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { sharedAzurite } from '../helpers/shared-azurite.js';

// How long Redis stays away: the 4-5 s of the reproduction, longer than the client's 3 retries.
const OUTAGE_MS = 5_000;

let redis: TestRedis;
let storage: Record<string, string>;
const children: WorkerChild[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  const azurite = await sharedAzurite();
  // Storage for the run's report: the `cancel` that settles the run writes it there, and the waits
  // end once it is in. Without storage no report blob ever comes, and `enqueue --wait` waited its
  // 30 s for one (waitForReportBlob) after the run had ended.
  const container = uniqueContainerName('redis-restart-wait');
  await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container).createIfNotExists();
  storage = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, POLYGLYPH_CONTAINER: container };
});

afterAll(async () => {
  await Promise.allSettled(children.map((child) => child.kill()));
  await redis?.stop();
});

describe('waiting on a run through a Redis restart', () => {
  it('enqueue --wait and status --watch keep waiting while Redis is away, then end with the run', async () => {
    const env = { REDIS_URL: redis.url, ...storage };
    const enqueue = spawnPolyglyph(['enqueue', 'samples/spring-campaign.csv', '--wait'], env);
    children.push(enqueue);
    await waitUntil(() => /as run (\S+)/.test(enqueue.output()), 'enqueue to print the run id', 60_000);
    const runId = /as run (\S+)/.exec(enqueue.output())![1]!;
    const watch = spawnPolyglyph(['status', runId, '--watch'], env);
    children.push(watch);
    await waitUntil(() => watch.output().includes(runId), 'status --watch to show the run', 60_000);

    await redis.kill();
    await sleep(OUTAGE_MS); // the outage itself: nothing to wait on but time
    await redis.restart();
    expect(enqueue.exited(), enqueue.output()).toBe(false);
    expect(watch.exited(), watch.output()).toBe(false);

    // No worker serves the run: cancelling settles every item, and both waits end with the run.
    const cancel = await runCli(['cancel', runId], env);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(await enqueue.exitCode, enqueue.output()).toBe(0);
    expect(enqueue.output()).toContain('report in storage: reports/');
    expect(await watch.exitCode, watch.output()).toBe(0);
    for (const child of [enqueue, watch]) expect(child.output()).not.toMatch(/MaxRetriesPerRequestError|Connection is closed/);
    expect(watch.output()).toMatch(/cancelled/);
  }, 180_000);
});
