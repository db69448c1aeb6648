import type { Redis } from 'ioredis';
import type { ReportRow } from './report-row.js';
import { RunKeys } from './run-keys.js';
import { ATTACH_SCRIPT, SETTLE_SCRIPT } from './run-scripts.js';

/** Seconds an item's done marker outlives the settle; it only has to cover BullMQ removing the job. */
const DONE_MARKER_TTL_SECONDS = 600;

export interface RunRecord {
  id: string;
  manifest: string;
  manifestSha256: string;
  startedAt: number;
  /** Set once every item has been enqueued (and so `total` is final). */
  enqueuedAt?: number | undefined;
  finishedAt?: number | undefined;
  total: number;
  settled: number;
  imagesCreated: number;
  imagesExisting: number;
  itemsFailed: number;
}

/** Counter fields an item's outcome adds to each run that waits for it. */
export interface OutcomeCounts {
  imagesCreated?: number;
  imagesExisting?: number;
  itemsFailed?: number;
}

/** Runs as records in Redis: counters, report rows, and the item-to-run links that settle them. */
export class RunStore {
  readonly keys: RunKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    queueName: string,
  ) {
    this.keys = new RunKeys(prefix, queueName);
  }

  async create(run: { id: string; manifest: string; manifestSha256: string; startedAt: number }): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.run(run.id), { id: run.id, manifest: run.manifest, manifestSha256: run.manifestSha256, startedAt: run.startedAt, total: 0, settled: 0 })
      .zadd(this.keys.runIndex(), run.startedAt, run.id)
      .exec();
  }

  /** Makes the run wait for these items (see ATTACH_SCRIPT). Call before adding their jobs. */
  async attach(runId: string, jobIds: readonly string[]): Promise<number> {
    if (jobIds.length === 0) return 0;
    return Number(await this.redis.eval(ATTACH_SCRIPT, 0, this.keys.base, runId, String(DONE_MARKER_TTL_SECONDS), ...jobIds));
  }

  async markEnqueued(runId: string, at: number): Promise<void> {
    await this.redis.hset(this.keys.run(runId), 'enqueuedAt', at);
  }

  async markFinished(runId: string, at: number): Promise<void> {
    await this.redis.hsetnx(this.keys.run(runId), 'finishedAt', at);
  }

  /** Records an item's final outcome in every run waiting for it. Safe to call twice. */
  async settle(jobId: string, rows: readonly ReportRow[], counts: OutcomeCounts, options: { onlyIfUnsettled?: boolean } = {}): Promise<number> {
    const outcome = JSON.stringify({ rows: rows.map((row) => JSON.stringify(row)), counts });
    return Number(await this.redis.eval(SETTLE_SCRIPT, 0, this.keys.base, jobId, outcome, String(DONE_MARKER_TTL_SECONDS), options.onlyIfUnsettled ? '1' : '0'));
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const hash = await this.redis.hgetall(this.keys.run(runId));
    if (!hash.id) return undefined;
    const int = (field: string): number => Number(hash[field] ?? 0);
    const optional = (field: string): number | undefined => (hash[field] === undefined ? undefined : Number(hash[field]));
    return {
      id: hash.id,
      manifest: hash.manifest ?? '',
      manifestSha256: hash.manifestSha256 ?? '',
      startedAt: int('startedAt'),
      enqueuedAt: optional('enqueuedAt'),
      finishedAt: optional('finishedAt'),
      total: int('total'),
      settled: int('settled'),
      imagesCreated: int('imagesCreated'),
      imagesExisting: int('imagesExisting'),
      itemsFailed: int('itemsFailed'),
    };
  }

  /** Report rows in the order they settled, read in pages so a large run is never held twice. */
  async *rows(runId: string, pageSize = 1000): AsyncGenerator<ReportRow> {
    for (let start = 0; ; start += pageSize) {
      const page = await this.redis.lrange(this.keys.rows(runId), start, start + pageSize - 1);
      for (const row of page) yield JSON.parse(row) as ReportRow;
      if (page.length < pageSize) return;
    }
  }
}

/** A run is complete once all of its items are enqueued and every one has settled. */
export function isRunComplete(run: RunRecord): boolean {
  return run.enqueuedAt !== undefined && run.settled >= run.total;
}
