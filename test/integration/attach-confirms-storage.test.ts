// A run attaching to an item that settled minutes ago takes its outcome from the done marker only
// when the images it names are in the run's own storage. A second run on the same Redis prefix
// against another (empty) container once reported all 19 images "already stored".
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportRow } from '../../src/runs/report-row.js';
import { RunStore } from '../../src/runs/run-store.js';
import { BlobStore } from '../../src/storage/blob-store.js';
import { runScript } from '../../src/redis/scripts.js';
import { startServices, type TestServices } from '../helpers/services.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { uniquePrefix } from '../helpers/unique.js';

let services: TestServices;
let redis: Redis;
let stored: BlobStore;
let empty: BlobStore;
beforeAll(async () => {
  services = await startServices();
  redis = new Redis(services.redis.url);
  const store = (container: string): BlobStore => BlobStore.fromSettings({ storageConnectionString: services.azurite.connectionString, container });
  stored = store(uniqueContainerName('attach-a'));
  empty = store(uniqueContainerName('attach-b'));
  await Promise.all([stored.ensureContainer(), empty.ensureContainer()]);
});
afterAll(async () => {
  redis?.disconnect();
  await services?.stop();
});

const row = (id: string, status: ReportRow['status'] = 'created'): ReportRow => ({
  id,
  locale: 'ja',
  variant: 1,
  status,
  blobName: status === 'failed' ? '' : `c/ja/${id}/x-v1.png`,
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

/** Run r1 made item `id`'s image in `stored`; its outcome is settled and its done marker set. */
async function settledInStoredContainer(store: RunStore, id: string): Promise<void> {
  await store.attach('r1', [id]);
  await stored.upload(row(id).blobName, Buffer.from('png'), { contentType: 'image/png' });
  await store.settle(id, [row(id)], { imagesCreated: 1, 'locale:ja:images': 1, 'locale:ja:created': 1 });
}

async function newStore(): Promise<RunStore> {
  const store = new RunStore(redis, uniquePrefix('attach'), 'images');
  for (const id of ['r1', 'r2'])
    await store.create({ id, manifest: 'm.csv', manifestPath: '/m.csv', manifestSha256: 'x', origin: 'test', model: 'gpt-image-2', imagesPerMinute: 6, imagesByLocale: { ja: 1 }, startedAt: 1 });
  return store;
}

describe("attach takes a recent outcome only when its images are in the run's storage", () => {
  it('another, empty container: nothing "already stored", the item waits for its job', async () => {
    const store = await newStore();
    await settledInStoredContainer(store, 'i1');
    expect(await store.attach('r2', ['i1'], { storage: empty })).toEqual([]);
    expect(await store.get('r2')).toMatchObject({ total: 1, settled: 0, imagesExisting: 0, imagesCreated: 0 });
    expect(await store.waitingRuns('i1')).toBe(1);
    // The job, run against the empty container, makes the image and settles r2 as created.
    expect(await store.settle('i1', [row('i1')], { imagesCreated: 1 })).toEqual({ runs: 1, finished: [] });
    expect(await store.get('r2')).toMatchObject({ settled: 1, imagesCreated: 1, imagesExisting: 0 });
  });

  it('no storage to look in: the item waits for its job', async () => {
    const store = await newStore();
    await settledInStoredContainer(store, 'i2');
    expect(await store.attach('r2', ['i2'])).toEqual([]);
    expect(await store.get('r2')).toMatchObject({ total: 1, settled: 0, imagesExisting: 0 });
  });

  it('the same container with the image there: taken at once as found (its job is not added again)', async () => {
    const store = await newStore();
    await settledInStoredContainer(store, 'i3');
    expect(await store.attach('r2', ['i3'], { storage: stored })).toEqual(['i3']);
    expect(await store.get('r2')).toMatchObject({ total: 1, settled: 1, imagesExisting: 1, imagesCreated: 0 });
  });

  it('the image deleted since it settled: not taken', async () => {
    const store = await newStore();
    await settledInStoredContainer(store, 'i4');
    await stored.container.deleteBlob(row('i4').blobName);
    expect(await store.attach('r2', ['i4'], { storage: stored })).toEqual([]);
    expect(await store.get('r2')).toMatchObject({ settled: 0, imagesExisting: 0 });
  });

  it('a marker rewritten after the producer confirmed it is not taken (attach.lua compares its SHA-1)', async () => {
    const store = await newStore();
    await settledInStoredContainer(store, 'i5');
    const keys = [store.keys.run('r2'), store.keys.rows('r2'), store.keys.failures('r2'), store.keys.runItems('r2'), store.keys.itemRuns('i5'), store.keys.itemDone('i5')];
    expect(await runScript(redis, 'attach', keys, ['r2', '0', 'i5', '0'.repeat(40)])).toEqual([]);
    expect(await store.get('r2')).toMatchObject({ total: 1, settled: 0 });
  });
});
