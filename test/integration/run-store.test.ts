import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportRow } from '../../src/runs/report-row.js';
import { isRunComplete, RunStore } from '../../src/runs/run-store.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/unique.js';
import { runScript } from '../../src/redis/scripts.js';
import { publishFinishedRun } from '../../src/runs/publish-report.js';
import { waitForReportBlob } from '../../src/cli/wait-for-run.js';
import { silentLogger } from '../helpers/pipeline.js';

let server: TestRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer({ appendonly: false });
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const row = (id: string, status: ReportRow['status'] = 'created'): ReportRow => ({
  id,
  locale: 'ja',
  variant: 1,
  status,
  blobName: `c/ja/${id}/x-v1.png`,
  url: '',
  errorCode: '',
  errorMessage: '',
  attempts: 1,
  line: 2,
  model: 'gpt-image-2',
  deployment: 'gpt-image-2',
  size: '1024x1024',
  requestedSize: '1024x1024',
  requestId: '',
});

async function newStore() {
  const store = new RunStore(redis, uniquePrefix('rs'), 'images');
  for (const id of ['r1', 'r2'])
    await store.create({ id, manifest: 'm.csv', manifestPath: '/m.csv', manifestSha256: 'x', origin: 'test', model: 'gpt-image-2', imagesPerMinute: 6, imagesByLocale: { ja: 2 }, startedAt: 1 });
  return store;
}

describe('RunStore: exact completion when runs share items', () => {
  it('settles every run waiting for an item, once, even if the item settles twice', async () => {
    const store = await newStore();
    expect(await store.attach('r1', ['a', 'b'])).toEqual([]);
    expect(await store.attach('r2', ['a'])).toEqual([]);
    expect(await store.markEnqueued('r1', 2)).toBe(false);
    expect(await store.markEnqueued('r2', 2)).toBe(false);
    // r2 waits only for 'a': settling it finishes r2, and says so exactly once
    expect(await store.settle('a', [row('a')], { imagesCreated: 1 })).toEqual({ runs: 2, finished: ['r2'] });
    expect(await store.settle('a', [row('a')], { imagesCreated: 1 })).toEqual({ runs: 0, finished: [] }); // a stalled job run again
    const r2 = await store.get('r2');
    expect(r2).toMatchObject({ total: 1, settled: 1, imagesCreated: 1 });
    expect(isRunComplete(r2!)).toBe(true);
    const r1 = await store.get('r1');
    expect(r1).toMatchObject({ total: 2, settled: 1 });
    expect(isRunComplete(r1!)).toBe(false);
    expect(await store.settle('b', [row('b', 'failed')], { itemsFailed: 1 })).toEqual({ runs: 1, finished: ['r1'] });
    expect(await store.get('r1')).toMatchObject({ settled: 2, imagesCreated: 1, itemsFailed: 1, finishedAt: expect.any(Number) as number });
    const rows = [];
    for await (const r of store.rows('r1')) rows.push(r.id);
    expect(rows).toEqual(['a', 'b']);
    // The failed row is also in the run's failures, for the dashboard
    expect(await store.failures('r1', 10)).toEqual({ rows: [row('b', 'failed')], total: 1 });
    expect(await store.failures('r2', 10)).toEqual({ rows: [], total: 0 });
  });

  it('a run attaching moments after the item settled takes the outcome at once, and its job is not added again', async () => {
    const store = await newStore();
    await store.attach('r1', ['j']);
    await store.settle('j', [row('j')], { imagesCreated: 1 });
    expect(await store.attach('r2', ['j', 'new'])).toEqual(['j']);
    // for r2 the image was already there: it counts as found, not created (nor paid)
    expect(await store.get('r2')).toMatchObject({ total: 2, settled: 1, imagesCreated: 0, imagesExisting: 1 });
    const [taken] = await (async () => {
      const r = [];
      for await (const x of store.rows('r2')) r.push(x);
      return r;
    })();
    expect(taken?.status).toBe('exists');
    // a failed outcome taken this way lands in the failures list too
    await store.attach('r1', ['f']);
    await store.settle('f', [row('f', 'failed')], { itemsFailed: 1 });
    expect(await store.attach('r2', ['f'])).toEqual(['f']);
    expect((await store.failures('r2', 10)).rows.map((r) => r.id)).toEqual(['f']);
    // once 'new' settles, every item has: the producer's markEnqueued finishes the run
    await store.settle('new', [row('new')], { imagesCreated: 1 });
    expect(await store.markEnqueued('r2', 3)).toBe(true);
    expect(await store.markEnqueued('r2', 4)).toBe(false);
  });

  it('settle refuses to run with a stale list of waiting runs, and settle() reads them again', async () => {
    const store = await newStore();
    await store.attach('r1', ['s']);
    await store.attach('r2', ['s']);
    // As if r2 attached between settle() reading the waiting runs and the script running: nothing changes.
    const keys = [store.keys.itemRuns('s'), store.keys.itemDone('s'), store.keys.run('r1'), store.keys.rows('r1'), store.keys.failures('r1')];
    expect(await runScript(redis, 'settle', keys, [JSON.stringify({ rows: [], counts: {} }), '60', '0', 'r1'])).toEqual([-1, []]);
    expect(await store.waitingRuns('s')).toBe(2);
    expect(await store.settle('s', [row('s')], { imagesCreated: 1 })).toEqual({ runs: 2, finished: [] });
    expect(await store.get('r2')).toMatchObject({ settled: 1, imagesCreated: 1 });
  });

  it('a retry (fresh) waits for the new job, not the old outcome', async () => {
    const store = await newStore();
    await store.attach('r1', ['k']);
    await store.settle('k', [row('k', 'failed')], { itemsFailed: 1 });
    expect(await store.attach('r2', ['k'], { fresh: true })).toEqual([]);
    expect(await store.get('r2')).toMatchObject({ total: 1, settled: 0 });
    // a failure BullMQ decides itself must not be swallowed by the previous job's marker
    expect(await store.settle('k', [row('k', 'failed')], { itemsFailed: 1 }, { onlyIfUnsettled: true })).toMatchObject({ runs: 1 });
    expect(await store.get('r2')).toMatchObject({ settled: 1, itemsFailed: 1 });
  });

  it('cancel settles a pending item as cancelled once; retry takes failed rows back out and reopens the run', async () => {
    const store = await newStore();
    await store.attach('r1', ['p', 'q']);
    await store.markEnqueued('r1', 2);
    expect(await store.cancelItem('r1', 'p', row('p', 'failed'), { itemsCancelled: 1 })).toBe('cancelled');
    expect(await store.cancelItem('r1', 'p', row('p', 'failed'), { itemsCancelled: 1 })).toBe(false);
    const failed = { ...row('q', 'failed'), errorCode: 'server_error', errorMessage: 'a message quoting "status":"failed"' };
    await store.settle('q', [failed], { itemsFailed: 1, 'locale:ja:failed': 1, 'failures:server_error': 1 });
    expect(await store.failures('r1', 10)).toEqual({ rows: [failed], total: 1 });
    expect((await store.get('r1'))?.failuresByCode).toEqual({ server_error: 1 });
    expect(await store.get('r1')).toMatchObject({ settled: 2, itemsCancelled: 1, itemsFailed: 1, finishedAt: expect.any(Number) as number });
    const ids = [];
    for await (const id of store.items('r1')) ids.push(id);
    expect(ids.sort()).toEqual(['p', 'q']);

    // The cancel that finished it ran where no storage is configured: the run says its report will not
    // come, and a waiter stops at once (it waited its full 30 s; the test's own limit would end a hang).
    await publishFinishedRun({ runStore: store, blobStore: undefined, logger: silentLogger }, 'r1');
    const finished = await store.get('r1');
    expect(finished?.reportNotWritten).toBe('the process that finished the run has no storage configured');
    expect(await waitForReportBlob(store, finished!, 10 * 60_000)).toMatchObject({ reportBlob: undefined, reportNotWritten: expect.any(String) as string });

    expect(await store.reopen('r1', [failed], { itemsFailed: 1, 'locale:ja:failed': 1, 'failures:server_error': 1, settled: 1, total: 1 })).toBe(1);
    const reopened = await store.get('r1');
    expect(reopened?.failuresByCode).toEqual({});
    expect(await store.failures('r1', 10)).toEqual({ rows: [], total: 0 });
    expect(reopened).toMatchObject({ settled: 1, total: 1, itemsFailed: 0, finishedAt: undefined, enqueuedAt: undefined, reportNotWritten: undefined });
    expect(reopened?.locales.ja).toMatchObject({ planned: 2, itemsFailed: 0 });
    const rows = [];
    for await (const r of store.rows('r1')) rows.push(r.id);
    expect(rows).toEqual(['p']);
  });
});

describe('RunStore: report rows in manifest order', () => {
  it('lists rows by manifest line whatever order they settled or were cancelled in; a retry takes its failed row out; a run recorded before keeps its order', async () => {
    const store = await newStore();
    await store.attach('r1', ['late', 'early', 'middle', 'gone']);
    await store.markEnqueued('r1', 1);
    const failed: ReportRow = { ...row('early', 'failed'), line: 2, variant: '' };
    await store.settle('late', [{ ...row('late'), line: 9 }], { imagesCreated: 1 });
    await store.settle('early', [failed], { itemsFailed: 1 });
    expect(await store.cancelItem('r1', 'gone', { ...row('gone', 'cancelled'), line: 3 }, { itemsCancelled: 1 })).toBe('cancelled');
    await store.settle(
      'middle',
      [
        { ...row('middle'), locale: 'ko', line: 5 },
        { ...row('middle'), line: 5 },
      ],
      { imagesCreated: 2 },
    );
    const listed = async (runId: string): Promise<string[]> => {
      const rows: string[] = [];
      for await (const r of store.rows(runId, 2)) rows.push(`${r.line}:${r.id}/${r.locale}`);
      return rows;
    };
    expect(await listed('r1')).toEqual(['2:early/ja', '3:gone/ja', '5:middle/ja', '5:middle/ko', '9:late/ja']);
    expect(await store.reopen('r1', [failed], { itemsFailed: 1 })).toBe(1);
    expect(await listed('r1')).toEqual(['3:gone/ja', '5:middle/ja', '5:middle/ko', '9:late/ja']);
    // Recorded by an earlier version: a list in settle order, read as it is.
    await redis.rpush(store.keys.legacyRows('r2'), JSON.stringify({ ...row('z'), line: 9 }), JSON.stringify({ ...row('y'), line: 2 }));
    expect(await listed('r2')).toEqual(['9:z/ja', '2:y/ja']);
  });
});
