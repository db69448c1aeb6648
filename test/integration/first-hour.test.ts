// Issue 14 item 1: with nothing configured, every command works locally the way `run` does: workers
// in other terminals find the stand-in and Azurite of the data folder, `retry --wait` processes what
// it re-queued when no worker serves the queue, and `--wait` says within seconds that no worker runs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spawnPolyglyph, type WorkerChild } from '../helpers/fault-harness.js';
import { waitUntil } from '../helpers/pipeline.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let workDir: string;
let env: Record<string, string>;
const children: WorkerChild[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  workDir = await mkdtemp(join(tmpdir(), 'polyglyph-first-hour-'));
  // Only where Redis is and where the local data goes: no endpoint, no storage, no quota.
  env = { REDIS_URL: redis.url, POLYGLYPH_LOCAL_DIR: join(workDir, 'local'), POLYGLYPH_REPORT_DIR: join(workDir, 'reports') };
});

afterAll(async () => {
  await Promise.allSettled(children.map((child) => child.stop()));
  await redis?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('a first hour with nothing configured', () => {
  it('run with a failure on purpose, then retry --wait with no worker processes the fixed item and rewrites the local report', async () => {
    const first = await runCli(['run', 'samples/blocked-on-purpose.csv'], env, 120_000);
    expect(first.code, first.stderr).toBe(1);
    const runId = /run (r\S+):/.exec(first.stdout)![1]!;
    const fixed = join(workDir, 'fixed.csv');
    await writeFile(fixed, (await readFile('samples/blocked-on-purpose.csv', 'utf8')).replace('[blocked] ', ''));

    const retry = await runCli(['retry', runId, '--manifest', fixed, '--wait'], env, 120_000);
    expect(retry.stderr).toContain(`no worker serves queue 'images': processing the retried items in this process`);
    expect(retry.code, retry.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(workDir, 'reports', `${runId}.json`), 'utf8')) as { rows?: Array<{ status: string }> } | Array<{ status: string }>;
    const rows = Array.isArray(report) ? report : (report.rows ?? []);
    expect(rows.map((row) => row.status).sort()).toEqual(['created', 'created', 'created']);
  }, 240_000);

  it('enqueue --wait warns that no worker runs; a worker started later with nothing configured finds the shared stand-in and Azurite and finishes the run', async () => {
    const enqueue = spawnPolyglyph(['enqueue', 'samples/blocked-on-purpose.csv', '--campaign', 'separate', '--wait'], env);
    children.push(enqueue);
    await waitUntil(() => enqueue.output().includes("no worker serves queue 'images' yet"), 'enqueue --wait to say no worker serves the queue', 20_000);

    const first = spawnPolyglyph(['worker'], env);
    children.push(first);
    await waitUntil(() => first.output().includes('worker started'), 'the first worker to start', 60_000);
    const second = spawnPolyglyph(['worker'], env);
    children.push(second);
    await waitUntil(() => second.output().includes('worker started'), 'the second worker to start', 60_000);
    expect(second.output()).toMatch(/using the built-in stand-in image API of polyglyph \(pid \d+\)/);
    expect(second.output()).toMatch(/using the Azurite of polyglyph \(pid \d+\)/);

    // The blocked row fails again (exit 1); the other two images are made by the workers.
    expect(await enqueue.exitCode, enqueue.output()).toBe(1);
    expect(enqueue.output()).toMatch(/2 images created, 0 already stored, 1 items? failed; report in storage: reports\//);
  }, 240_000);
});
