import type { RedisClient } from '../redis/connection.js';
import { runScript } from '../redis/scripts.js';
import type { OutcomeCounts } from './outcome-counts.js';
import type { ReportRow } from './report-row.js';
import { RunKeys } from './run-keys.js';
import { loadRunTranslations, type RunTranslation } from './run-translations.js';
import { loadReviews, saveReview, type ImageReview } from './run-reviews.js';
import { claimRegeneration, loadRegenerations, releaseRegeneration, type ClaimResult, type RegenerationState } from './run-regenerations.js';

/**
 * Seconds an item's done marker outlives the settle. It has to cover BullMQ removing the job, a
 * worker that died between settling and completing (the job stalls, runs again and settles nothing
 * twice), and a failure BullMQ decides after that (onlyIfUnsettled).
 */
const DONE_MARKER_TTL_SECONDS = 600;
/** Rounds of "read the waiting runs, settle them" before settle gives up: runs attach in between only briefly. */
const SETTLE_ROUNDS = 20;

export interface LocaleProgress {
  /** Images the run asks for in this locale. */
  planned: number;
  /** Images resolved: stored now, found stored, or given up with their item. */
  images: number;
  itemsFailed: number;
  /**
   * How the resolved images were resolved: made now, found stored, given up with a failed item,
   * taken out by a cancel. Absent on runs recorded before they were counted apart.
   */
  created?: number;
  existing?: number;
  imagesFailed?: number;
  imagesCancelled?: number;
  /** Images whose text was read back (jobs/check-text.ts); absent until one was. */
  textChecked?: number;
  /** Of those, above their script's error-rate threshold (or, without expected text, not in its script). */
  textNeedsReview?: number;
  /** Of those, compared with an expected text (a character error rate measured). */
  textMeasured?: number;
  /** Mean character error rate of the measured ones; undefined when none was. */
  meanCer?: number | undefined;
}

export interface RunRecord {
  id: string;
  manifest: string;
  /** Absolute path the manifest was read from, for `retry`. */
  manifestPath: string;
  manifestSha256: string;
  /** Who started it and where: user@host (command). */
  origin: string;
  model: string;
  /** The pool's capacity when the run started, for ETAs. */
  imagesPerMinute: number;
  startedAt: number;
  /** Set once every item has been enqueued (and so `total` is final). */
  enqueuedAt?: number | undefined;
  finishedAt?: number | undefined;
  cancelledAt?: number | undefined;
  /** Blob name of the report, once written. */
  reportBlob?: string | undefined;
  /**
   * Why the finished run's report will not be in storage (the process that finished it has no storage,
   * or the write failed): the commands that wait for the report stop waiting. Cleared when it reopens.
   */
  reportNotWritten?: string | undefined;
  total: number;
  settled: number;
  imagesPlanned: number;
  imagesCreated: number;
  imagesExisting: number;
  itemsFailed: number;
  itemsCancelled: number;
  /** Images whose text check found them above threshold (needs_review). */
  textNeedsReview: number;
  locales: Record<string, LocaleProgress>;
  /** Failed items by error code (`content_filter`: 3). */
  failuresByCode: Record<string, number>;
  /** From the price table, before anything was spent; undefined when the model has no price. */
  estimatedCostMicros?: number | undefined;
  /** Regenerations claimed and not yet enqueued (or refused): the run is not complete while there are any. */
  regenerating?: number | undefined;
  /** `--regenerate-on-mismatch` of the command that made the run, when above 0 (else the check worker's own applies). */
  regenerateOnMismatch?: number | undefined;
  /** `--max-cost` of that command in USD, for regenerations (else the check worker's own). */
  maxCostUsd?: number | undefined;
  /**
   * Where the producer sent the images (storage/destination.ts: a hash, never a credential), part of
   * the run's job ids; retry and re-render use it so they rebuild the same ids from any shell.
   * Undefined for runs whose producer knew no storage, and for runs recorded before it was kept.
   */
  destination?: string | undefined;
  /** Tokens the API reported for this run's generations. */
  /** `textOutput` is the part of `output` the service reported as text tokens. */
  tokens: { textInput: number; imageInput: number; output: number; textOutput: number };
}

/** What the producer knows when it creates a run; the counters start at zero. */
export type NewRun = Pick<
  RunRecord,
  'id' | 'manifest' | 'manifestPath' | 'manifestSha256' | 'origin' | 'model' | 'imagesPerMinute' | 'estimatedCostMicros' | 'startedAt' | 'regenerateOnMismatch' | 'maxCostUsd' | 'destination'
> & {
  imagesByLocale: Partial<Record<string, number>>;
};

/**
 * Runs as records in Redis: counters, report rows, and the item-to-run links that settle them.
 *
 * Completion is exact with any number of workers and runs sharing an item (the same manifest enqueued
 * twice shares its jobs): a run attaches to its items before their jobs are added (commands/attach.lua),
 * and an item's final outcome is settled into every run waiting for it (commands/settle.lua). Every
 * key those scripts touch is passed to them; with a `{hash-tagged}` prefix they run on a Redis Cluster.
 */
export class RunStore {
  readonly keys: RunKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    queueName: string,
  ) {
    this.keys = new RunKeys(prefix, queueName);
  }

  /** Reviewers' decisions on the run's images, by blob name (the review gallery; run-reviews.ts). */
  reviews(runId: string): Promise<Map<string, ImageReview>> {
    return loadReviews(this.redis, this.keys, runId);
  }

  saveReview(runId: string, blobName: string, review: ImageReview): Promise<void> {
    return saveReview(this.redis, this.keys, runId, blobName, review);
  }

  /** The texts `run --translate` translated for this run, by `id \0 locale` (run-translations.ts). */
  translations(runId: string): Promise<Map<string, RunTranslation>> {
    return loadRunTranslations(this.redis, this.keys, runId);
  }

  /** Claims one more variant of a flagged image's item, at most `limit` per item (run-regenerations.ts). */
  claimRegeneration(runId: string, state: RegenerationState, limit: number): Promise<ClaimResult> {
    return claimRegeneration(this.redis, this.keys, runId, state, limit);
  }

  /** Records a regeneration's outcome; true when that finished the run (the caller writes its report). */
  releaseRegeneration(runId: string, state: RegenerationState): Promise<boolean> {
    return releaseRegeneration(this.redis, this.keys, runId, state);
  }

  regenerations(runId: string): Promise<RegenerationState[]> {
    return loadRegenerations(this.redis, this.keys, runId);
  }

  async create(run: NewRun): Promise<void> {
    const planned = Object.entries(run.imagesByLocale).map(([locale, images]) => [`locale:${locale}:planned`, images ?? 0] as const);
    await this.redis
      .multi()
      .hset(this.keys.run(run.id), {
        id: run.id,
        manifest: run.manifest,
        manifestPath: run.manifestPath,
        manifestSha256: run.manifestSha256,
        origin: run.origin,
        model: run.model,
        imagesPerMinute: run.imagesPerMinute,
        startedAt: run.startedAt,
        total: 0,
        settled: 0,
        ...(run.estimatedCostMicros !== undefined ? { estimatedCostMicros: run.estimatedCostMicros } : {}),
        ...(run.regenerateOnMismatch ? { regenerateOnMismatch: run.regenerateOnMismatch } : {}),
        ...(run.maxCostUsd !== undefined ? { maxCostUsd: run.maxCostUsd } : {}),
        ...(run.destination !== undefined ? { destination: run.destination } : {}),
        imagesPlanned: planned.reduce((sum, [, images]) => sum + images, 0),
        ...Object.fromEntries(planned),
      })
      .zadd(this.keys.runIndex(), run.startedAt, run.id)
      .exec();
  }

  /**
   * Makes the run wait for these items (commands/attach.lua). Call before adding their jobs, and add
   * only the ones not returned: those settled moments ago and the run has their outcome already.
   * `fresh` (retry): old outcomes are dropped and every item waits for a new job.
   */
  async attach(runId: string, jobIds: readonly string[], options: { fresh?: boolean } = {}): Promise<string[]> {
    if (jobIds.length === 0) return [];
    const keys = [this.keys.run(runId), this.keys.rows(runId), this.keys.failures(runId), this.keys.runItems(runId)];
    for (const jobId of jobIds) keys.push(this.keys.itemRuns(jobId), this.keys.itemDone(jobId));
    return (await runScript(this.redis, 'attach', keys, [runId, options.fresh ? '1' : '0', ...jobIds])) as string[];
  }

  /** Every item is enqueued. True when they had all settled already: the caller finished the run and writes its report. */
  async markEnqueued(runId: string, at: number): Promise<boolean> {
    return Number(await runScript(this.redis, 'mark-enqueued', [this.keys.run(runId)], [String(at)])) === 1;
  }

  /**
   * Records an item's final outcome in every run waiting for it. Safe to call twice. Returns how many
   * runs it settled and which of them it finished: the caller writes those runs' reports.
   */
  async settle(jobId: string, rows: readonly ReportRow[], counts: OutcomeCounts, options: { onlyIfUnsettled?: boolean } = {}): Promise<{ runs: number; finished: string[] }> {
    const outcome = JSON.stringify({ rows: rows.map((row) => JSON.stringify(row)), counts });
    // The script may only touch the keys it is given: read the waiting runs, pass their keys, and
    // read again if a run attached in between (the script then changes nothing).
    for (let round = 1; ; round++) {
      const runIds = await this.redis.smembers(this.keys.itemRuns(jobId));
      const keys = [this.keys.itemRuns(jobId), this.keys.itemDone(jobId), ...runIds.flatMap((runId) => [this.keys.run(runId), this.keys.rows(runId), this.keys.failures(runId)])];
      const [runs, finished] = (await runScript(this.redis, 'settle', keys, [outcome, String(DONE_MARKER_TTL_SECONDS), options.onlyIfUnsettled ? '1' : '0', ...runIds])) as [number, string[]];
      if (Number(runs) >= 0) return { runs: Number(runs), finished };
      if (round >= SETTLE_ROUNDS) throw new Error(`item ${jobId}: runs kept attaching while it settled (${SETTLE_ROUNDS} rounds)`);
    }
  }

  /**
   * Settles an item of this run as cancelled, unless it already settled: false when it had,
   * `finished` when this settled the run's last item (the caller writes its report), else `cancelled`.
   */
  async cancelItem(runId: string, jobId: string, row: ReportRow, counts: OutcomeCounts): Promise<false | 'cancelled' | 'finished'> {
    const keys = [this.keys.run(runId), this.keys.rows(runId), this.keys.itemRuns(jobId)];
    const outcome = Number(await runScript(this.redis, 'cancel-item', keys, [runId, JSON.stringify(row), JSON.stringify(counts)]));
    return outcome === 0 ? false : outcome === 2 ? 'finished' : 'cancelled';
  }

  /** How many runs still wait for an item. */
  async waitingRuns(jobId: string): Promise<number> {
    return this.redis.scard(this.keys.itemRuns(jobId));
  }

  /** The runs that still wait for an item. */
  async waitingRunIds(jobId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.itemRuns(jobId));
  }

  async markCancelled(runId: string, at: number): Promise<void> {
    await this.redis.hsetnx(this.keys.run(runId), 'cancelledAt', at);
  }

  /**
   * Takes failed rows back out of the run (retry): they leave the report and the counters, and the
   * run is open again until its producer re-attaches the items and marks it enqueued.
   */
  async reopen(runId: string, failedRows: readonly ReportRow[], counts: OutcomeCounts): Promise<number> {
    if (failedRows.length === 0) return 0;
    const keys = [this.keys.run(runId), this.keys.rows(runId), this.keys.failures(runId)];
    return Number(await runScript(this.redis, 'reopen', keys, [...failedRows.map((row) => JSON.stringify(row)), '--', JSON.stringify(counts)]));
  }

  async setReportBlob(runId: string, name: string): Promise<void> {
    await this.redis.hset(this.keys.run(runId), 'reportBlob', name);
  }

  /** The finished run's report will not come to storage, and why (RunRecord.reportNotWritten). */
  async setReportNotWritten(runId: string, reason: string): Promise<void> {
    await this.redis.hset(this.keys.run(runId), 'reportNotWritten', reason);
  }

  /** Ids of the run's items (job ids), in pages. */
  async *items(runId: string): AsyncGenerator<string> {
    let cursor = '0';
    do {
      const [next, ids] = await this.redis.sscan(this.keys.runItems(runId), cursor, 'COUNT', 1000);
      cursor = next;
      yield* ids;
    } while (cursor !== '0');
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const hash = await this.redis.hgetall(this.keys.run(runId));
    return hash.id ? toRecord(hash) : undefined;
  }

  /** The most recent runs, newest first. */
  async recent(limit: number): Promise<RunRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.runIndex(), 0, limit - 1);
    const runs = await Promise.all(ids.map((id) => this.get(id)));
    return runs.filter((run): run is RunRecord => run !== undefined);
  }

  /** The first `limit` failed rows, in the order they settled, and how many there are in all. */
  async failures(runId: string, limit: number): Promise<{ rows: ReportRow[]; total: number }> {
    const key = this.keys.failures(runId);
    const [rows, total] = await Promise.all([this.redis.lrange(key, 0, limit - 1), this.redis.llen(key)]);
    return { rows: rows.map((row) => JSON.parse(row) as ReportRow), total };
  }

  /**
   * Report rows in manifest order (by line), read in pages so a large run is never held twice. A run
   * recorded before rows were ordered has them in its old list, in the order they settled.
   */
  async *rows(runId: string, pageSize = 1000): AsyncGenerator<ReportRow> {
    const ordered = (await this.redis.exists(this.keys.rows(runId))) === 1;
    const key = ordered ? this.keys.rows(runId) : this.keys.legacyRows(runId);
    for (let start = 0; ; start += pageSize) {
      const page = ordered ? await this.redis.zrange(key, start, start + pageSize - 1) : await this.redis.lrange(key, start, start + pageSize - 1);
      for (const row of page) yield JSON.parse(row) as ReportRow;
      if (page.length < pageSize) return;
    }
  }
}

/** Per-locale counter fields (`locale:<code>:<field>`) and the LocaleProgress number each fills. */
const LOCALE_FIELDS: Readonly<
  Record<string, 'planned' | 'images' | 'created' | 'existing' | 'imagesFailed' | 'imagesCancelled' | 'itemsFailed' | 'textChecked' | 'textNeedsReview' | 'textMeasured' | undefined>
> = {
  planned: 'planned',
  images: 'images',
  created: 'created',
  existing: 'existing',
  imagesFailed: 'imagesFailed',
  imagesCancelled: 'imagesCancelled',
  failed: 'itemsFailed',
  checked: 'textChecked',
  needsReview: 'textNeedsReview',
  measured: 'textMeasured',
};

function toRecord(hash: Record<string, string>): RunRecord {
  const int = (field: string): number => Number(hash[field] ?? 0);
  const optional = (field: string): number | undefined => (hash[field] === undefined ? undefined : Number(hash[field]));
  const locales: Record<string, LocaleProgress> = {};
  const failuresByCode: Record<string, number> = {};
  const cerMicros = new Map<string, number>();
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('failures:')) {
      // A retry takes failures back out; a code can drop to zero.
      if (Number(value) > 0) failuresByCode[field.slice('failures:'.length)] = Number(value);
      continue;
    }
    const match = /^locale:(.+):(planned|images|created|existing|imagesFailed|imagesCancelled|failed|checked|needsReview|measured|cerMicros)$/.exec(field);
    if (!match) continue;
    const progress = (locales[match[1]!] ??= { planned: 0, images: 0, itemsFailed: 0 });
    const counter = LOCALE_FIELDS[match[2]!];
    if (counter) progress[counter] = Number(value);
    else cerMicros.set(match[1]!, Number(value));
  }
  // Runs recorded since images are counted apart have a `created`, `existing`, ... field once any
  // image was resolved that way (zero counts are never written); a run with nothing resolved yet is
  // new too. Older runs keep the plain figures.
  const countedApart = hash.settled === undefined || hash.settled === '0' || Object.keys(hash).some((field) => /^locale:.+:(created|existing|imagesFailed|imagesCancelled)$/.test(field));
  if (countedApart) {
    for (const progress of Object.values(locales)) {
      progress.created ??= 0;
      progress.existing ??= 0;
      progress.imagesFailed ??= 0;
      progress.imagesCancelled ??= 0;
    }
  }
  for (const [locale, micros] of cerMicros) {
    const progress = locales[locale]!;
    if (progress.textMeasured) progress.meanCer = Math.round(micros / progress.textMeasured) / 1_000_000;
  }
  return {
    id: hash.id!,
    manifest: hash.manifest ?? '',
    manifestPath: hash.manifestPath ?? '',
    manifestSha256: hash.manifestSha256 ?? '',
    origin: hash.origin ?? '',
    model: hash.model ?? '',
    imagesPerMinute: int('imagesPerMinute'),
    startedAt: int('startedAt'),
    enqueuedAt: optional('enqueuedAt'),
    finishedAt: optional('finishedAt'),
    cancelledAt: optional('cancelledAt'),
    reportBlob: hash.reportBlob,
    reportNotWritten: hash.reportNotWritten,
    total: int('total'),
    settled: int('settled'),
    imagesPlanned: int('imagesPlanned'),
    imagesCreated: int('imagesCreated'),
    imagesExisting: int('imagesExisting'),
    itemsFailed: int('itemsFailed'),
    itemsCancelled: int('itemsCancelled'),
    textNeedsReview: int('textNeedsReview'),
    locales,
    failuresByCode,
    estimatedCostMicros: optional('estimatedCostMicros'),
    regenerateOnMismatch: optional('regenerateOnMismatch'),
    regenerating: optional('regenerating'),
    maxCostUsd: optional('maxCostUsd'),
    destination: hash.destination,
    tokens: { textInput: int('tokens:textInput'), imageInput: int('tokens:imageInput'), output: int('tokens:output'), textOutput: int('tokens:textOutput') },
  };
}

/** A run is complete once all of its items are enqueued and every one has settled. */
export function isRunComplete(run: RunRecord): boolean {
  return run.enqueuedAt !== undefined && run.settled >= run.total && !run.regenerating;
}
