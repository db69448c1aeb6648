// A job in flight when its run was cancelled is left to finish (cancel-run.ts), but when it comes back
// to be tried again (a 429, a held deployment, a transient failure, a stall) and every run waiting
// for it was cancelled, it is settled as cancelled and asks for nothing: nobody would get the image.
import { Redis } from 'ioredis';
import pino from 'pino';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateImage, type GenerateImageDeps } from '../../jobs/generate-image.js';
import type { ImageJobData } from '../../src/queue/image-job.js';
import { RunStore } from '../../src/runs/run-store.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/unique.js';

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

const data: ImageJobData = {
  v: 1,
  runId: 'r1',
  manifest: 'm.csv',
  line: 2,
  messageId: 'hero',
  locale: 'ja',
  campaign: 'spring',
  message: 'Spring sale',
  direction: '',
  model: 'gpt-image-2',
  request: { prompt: 'p', size: '1024x1024', quality: 'low', format: 'png', n: 2 },
  inputSha256: 'ab'.repeat(32),
  rateLimitedSince: 1,
};

/** A job being tried again (it was rate limited once); anything past the cancel check fails the test. */
function retriedJob(): Job<ImageJobData> {
  return { id: 'job-1', data, attemptsMade: 0, stalledCounter: 0, opts: {} } as unknown as Job<ImageJobData>;
}

function deps(runStore: RunStore, finished: string[][]): GenerateImageDeps {
  const untouchable = new Proxy(
    {},
    {
      get: (_, name) => {
        throw new Error(`a cancelled item reached ${String(name)}`);
      },
    },
  );
  return {
    pool: untouchable as never,
    blobStore: untouchable as never,
    staging: untouchable as never,
    masters: untouchable as never,
    runStore,
    rateLimit: () => Promise.reject(new Error('rate limit reached')),
    maxRateLimitedMs: 60_000,
    maxTransientMs: 60_000,
    onRunsFinished: (runIds) => {
      finished.push(runIds);
      return Promise.resolve();
    },
    logger: pino({ level: 'silent' }),
  };
}

async function newStore(): Promise<RunStore> {
  const store = new RunStore(redis, uniquePrefix('cancelled'), 'images');
  for (const id of ['r1', 'r2'])
    await store.create({ id, manifest: 'm.csv', manifestPath: '/m.csv', manifestSha256: 'x', origin: 'test', model: 'gpt-image-2', imagesPerMinute: 6, imagesByLocale: { ja: 2 }, startedAt: 1 });
  return store;
}

describe('a job tried again after its run was cancelled', () => {
  it('is settled as cancelled without asking the API, and the run finishes (its report written once)', async () => {
    const store = await newStore();
    await store.attach('r1', ['job-1']);
    await store.markEnqueued('r1', 2);
    await store.markCancelled('r1', 3);
    const finished: string[][] = [];
    expect(await generateImage(retriedJob(), deps(store, finished))).toEqual({ created: 0, existing: 0 });
    expect(finished).toEqual([['r1']]);
    expect(await store.get('r1')).toMatchObject({ settled: 1, total: 1, itemsCancelled: 1, imagesCreated: 0, finishedAt: expect.any(Number) as number });
    expect(await store.get('r1').then((run) => run?.locales.ja)).toMatchObject({ images: 2, imagesCancelled: 2 });
    expect(await store.waitingRuns('job-1')).toBe(0);
  });

  it('still runs for a run that was not cancelled', async () => {
    const store = await newStore();
    await store.attach('r1', ['job-1']);
    await store.attach('r2', ['job-1']);
    await store.markCancelled('r1', 3);
    const finished: string[][] = [];
    await expect(generateImage(retriedJob(), deps(store, finished))).rejects.toThrow(/a cancelled item reached|rate limit/);
    expect(await store.get('r1')).toMatchObject({ settled: 0, itemsCancelled: 0 });
    expect(await store.waitingRuns('job-1')).toBe(2);
  });
});
