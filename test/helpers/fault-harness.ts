// Shared pieces of the fault-injection tests (test/integration/faults-*.test.ts): a small manifest,
// what its jobs asked for, fault-tolerant waiting, worker child processes, and the three outcomes
// every fault test asserts: every item settled, nothing lost, nothing paid twice.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ContainerClient } from '@azure/storage-blob';
import type { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { OutputTail, cleanupOnParentExit, hasExited, killNow, terminate } from '../../src/local-services/child-process.js';
import type { MockImageApiStats } from '../../src/mock-api/server.js';
import type { ImageJobData } from '../../src/queue/image-job.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import { RunStore, isRunComplete, type RunRecord } from '../../src/runs/run-store.js';
import { imageBlobName, sidecarBlobName } from '../../src/storage/blob-name.js';
import { cliCommand } from './cli-build.js';
import { hermeticEnv } from './cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * 6 rows -> 9 items (message x locale), 11 images: three items ask for 2 variants. Messages and
 * locales differ, so every item has its own prompt.
 */
export const FAULT_MANIFEST = [
  'id,message,locales,variants,quality',
  'spring,Spring sale: up to 50% off,ja;ko,1,low',
  'shipping,Free shipping on every order,hi,2,low',
  'arrivals,New arrivals are here,bn;zh-Hans,1,low',
  'app,Download the app,zh-Hant,2,low',
  'members,Member prices this week,ja,1,low',
  'last-chance,Last chance to save,ko;hi,1,low',
].join('\n');
export const FAULT_MANIFEST_ITEMS = 9;
export const FAULT_MANIFEST_IMAGES = 11;

/** 13 items, 15 images (two items with 2 variants): enough work that two workers are busy for a few rounds. */
export const LARGER_MANIFEST = [
  'id,message,locales,variants,quality',
  'spring,Spring sale: up to 50% off,ja;ko;hi,1,low',
  'shipping,Free shipping on every order,bn;zh-Hans,1,low',
  'arrivals,New arrivals are here,zh-Hant,2,low',
  'app,Download the app,ja;ko,1,low',
  'members,Member prices this week,hi;bn,1,low',
  'last-chance,Last chance to save,zh-Hans;zh-Hant,1,low',
  'gift,Gift cards for everyone,ja,2,low',
].join('\n');
export const LARGER_MANIFEST_ITEMS = 13;
export const LARGER_MANIFEST_IMAGES = 15;

/** Writes a manifest to a new temporary directory; the file name (the campaign) is `name.csv`. */
export async function writeManifest(content: string, name = 'faults'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-faults-'));
  const path = join(dir, `${name}.csv`);
  await writeFile(path, `${content}\n`);
  return path;
}

/** What one job asked for, read from the queue right after enqueueing (jobs are removed once done). */
export interface ExpectedItem {
  jobId: string;
  messageId: string;
  locale: string;
  prompt: string;
  variants: number;
  /** Blob name of each variant, 1-based order. */
  blobNames: string[];
}

/** Reads every job of the queue that has not been taken yet. Call before any worker starts. */
export async function expectedItems(queue: Queue<ImageJobData>): Promise<ExpectedItem[]> {
  const jobs = await queue.getJobs(['wait', 'prioritized', 'delayed']);
  return jobs.map((job) => {
    const data = job.data;
    const variants = data.request.n;
    return {
      jobId: String(job.id),
      messageId: data.messageId,
      locale: data.locale,
      prompt: data.request.prompt,
      variants,
      blobNames: Array.from({ length: variants }, (_, index) => imageBlobName({ ...data, variant: index + 1, format: data.request.format })),
    };
  });
}

/**
 * Polls a run until every item has settled. Unlike helpers/pipeline's waitForRun it has its own
 * connection and shrugs off Redis errors (a test may be restarting Redis meanwhile); the deadline
 * still bounds it, so a broken pipeline fails the test with the run's last known state.
 */
export async function waitForSettledRun(redisUrl: string, prefix: string, queueName: string, runId: string, timeoutMs = 45_000): Promise<RunRecord> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 200, lazyConnect: true });
  redis.on('error', () => {});
  const store = new RunStore(redis, prefix, queueName);
  const deadline = Date.now() + timeoutMs;
  let last: RunRecord | undefined;
  let lastError: unknown;
  try {
    for (;;) {
      try {
        last = await store.get(runId);
        if (last && isRunComplete(last)) return last;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        throw new Error(`run ${runId} did not finish within ${timeoutMs} ms: ${JSON.stringify(last)}${lastError instanceof Error ? ` (last Redis error: ${lastError.message})` : ''}`);
      }
      await sleep(100);
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * Closes an in-process worker (createImageWorker closes its own Redis connection with it). A close
 * that fails because the fault left Redis down must not hide the test's real outcome.
 */
export async function closeWorker(worker: Worker | undefined): Promise<void> {
  await worker?.close().catch(() => {});
}

/** Generation requests the stand-in has received but not answered yet. */
export function inFlight(stats: MockImageApiStats): number {
  return stats.requests - Object.values(stats.byStatus).reduce((sum, count) => sum + count, 0);
}

export interface OutcomeEvidence {
  /** Images that may have been paid twice: requests in flight when a worker was killed (default 0). */
  paidTwiceAllowance?: number;
  run: RunRecord;
  items: ExpectedItem[];
  rows: ReportRow[];
  blobs: ContainerClient;
  stats: MockImageApiStats;
  /** Images the manifest asks for, counted by hand (FAULT_MANIFEST_IMAGES): a check on the jobs themselves. */
  images: number;
}

/**
 * The three promises every fault test checks:
 * (a) every item ended: settled === total, all items of the manifest, none failed;
 * (b) nothing lost: every expected (message, locale, variant) image is in the container exactly once
 *     (no other image blobs, a sidecar beside each), with exactly one report row;
 * (c) nothing paid twice: the stand-in delivered exactly `variants` images per prompt, and no images
 *     for prompts outside the manifest.
 */
export async function expectEveryItemOnceAndPaidOnce({ run, items, rows, blobs, stats, images: manifestImages, paidTwiceAllowance = 0 }: OutcomeEvidence): Promise<void> {
  // (a)
  expect(run.total, 'items in the run').toBe(items.length);
  expect(run.settled, 'settled items').toBe(run.total);
  expect(run.itemsFailed, `failed items: ${JSON.stringify(rows.filter((r) => r.status === 'failed'))}`).toBe(0);
  const expectedImages = items.reduce((sum, item) => sum + item.variants, 0);
  expect(expectedImages, 'images the jobs ask for, against the manifest').toBe(manifestImages);
  expect(run.imagesCreated + run.imagesExisting, 'images accounted for in the run record').toBe(expectedImages);

  // (b)
  // Images live under `<campaign>/`; anything else in the container (say a run report) is not ours to count.
  const expectedNames = items.flatMap((item) => item.blobNames);
  const campaigns = new Set(expectedNames.map((name) => name.slice(0, name.indexOf('/') + 1)));
  const images: string[] = [];
  const sidecars = new Set<string>();
  for (const prefix of campaigns) {
    for await (const blob of blobs.listBlobsFlat({ prefix })) {
      if (blob.name.endsWith('.json')) sidecars.add(blob.name);
      else images.push(blob.name);
    }
  }
  expect([...images].sort(), 'image blobs in the container').toEqual([...expectedNames].sort());
  for (const name of expectedNames) expect(sidecars.has(sidecarBlobName(name)), `sidecar of ${name}`).toBe(true);
  expect(
    rows.filter((r) => r.status !== 'created' && r.status !== 'exists'),
    'report rows that are not images',
  ).toEqual([]);
  const rowKeys = rows.map((r) => `${r.id}/${r.locale}/v${r.variant}`).sort();
  const expectedRowKeys = items.flatMap((item) => Array.from({ length: item.variants }, (_, i) => `${item.messageId}/${item.locale}/v${i + 1}`));
  expect(rowKeys, 'one report row per image').toEqual([...expectedRowKeys].sort());

  // (c)
  const paid = stats.generationsByPrompt;
  const paidByItem = Object.fromEntries(items.map((item) => [`${item.messageId}/${item.locale}`, paid[item.prompt] ?? 0]));
  const askedByItem = Object.fromEntries(items.map((item) => [`${item.messageId}/${item.locale}`, item.variants]));
  const prompts = new Set(items.map((item) => item.prompt));
  expect(
    Object.keys(paid).filter((prompt) => !prompts.has(prompt)),
    'images delivered for prompts outside the manifest',
  ).toEqual([]);
  if (paidTwiceAllowance === 0) {
    expect(paidByItem, 'images delivered per item (message/locale) = variants asked').toEqual(askedByItem);
    expect(stats.imagesGenerated, 'images delivered by the stand-in').toBe(expectedImages);
    return;
  }
  // A process killed between the API's answer and the staging write has paid for images nobody
  // kept: the design guarantees at most one extra generation per request in flight at the kill.
  for (const [item, asked] of Object.entries(askedByItem)) expect(paidByItem[item], `images delivered for ${item}`).toBeGreaterThanOrEqual(asked);
  expect(stats.imagesGenerated - expectedImages, `images delivered more than once (allowed: ${paidTwiceAllowance}, the requests in flight at the kill)`).toBeLessThanOrEqual(paidTwiceAllowance);
}

/** Attempts per item (message/locale), from its report rows. */
export function attemptsByItem(rows: ReportRow[]): Map<string, number> {
  const attempts = new Map<string, number>();
  for (const r of rows) attempts.set(`${r.id}/${r.locale}`, r.attempts);
  return attempts;
}

export interface WorkerChild {
  /** Last lines the process wrote (JSON logs on stderr). */
  output(): string;
  exited(): boolean;
  /** Resolves with the exit code once the process is gone (null when a signal ended it). */
  exitCode: Promise<number | null>;
  /** Sends one signal, as an orchestrator would. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, as a crash would; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM twice (close now), SIGKILL after 5 s; resolves once it is gone. */
  stop(): Promise<void>;
}

/** `polyglyph worker` (built from the checkout's sources) in a child process, configured only through its environment. */
export function spawnWorker(env: Record<string, string>): WorkerChild {
  return spawnPolyglyph(['worker'], env);
}

/** `polyglyph <args>` (built from the checkout's sources) in a child process that dies with the test run, its output kept for failure messages. */
export function spawnPolyglyph(args: string[], env: Record<string, string>): WorkerChild {
  const [node, entry] = cliCommand();
  const child = spawn(node, [entry, ...args], {
    cwd: ROOT,
    env: hermeticEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new OutputTail(60);
  child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
  child.on('error', (error) => tail.push(`${error.message}\n`));
  cleanupOnParentExit(child, () => child.kill('SIGKILL'));
  if (child.pid === undefined) throw new Error(`could not spawn polyglyph ${args.join(' ')}`);
  const exitCode = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    output: () => tail.text(),
    exited: () => hasExited(child),
    exitCode,
    signal: (signal) => void child.kill(signal),
    kill: () => killNow(child),
    stop: async () => {
      if (hasExited(child)) return;
      child.kill('SIGTERM'); // first signal: finish in-flight jobs; the second (from terminate) closes now
      await sleep(100);
      await terminate(child, 5_000);
    },
  };
}
