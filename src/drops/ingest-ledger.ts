import type { RedisClient } from '../redis/connection.js';
import { runScript } from '../redis/scripts.js';

/** What the ledger holds for one manifest content (sha256): who took it and, once started, its run. */
export interface IngestEntry {
  /** Where the copy that won came from, with its version: `blob:<name>@<etag>` or `dir:<name>@<uuid>`. */
  source: string;
  runId?: string | undefined;
  /** Redis server time (ms) of the claim. */
  claimedAt: number;
  /** Redis server time (ms) the claimant last said it is still at work; a claim without a run goes stale without it. */
  heartbeatAt?: number | undefined;
}

/** Until a run is recorded, a claimant beats every this many ms... */
export const CLAIM_HEARTBEAT_MS = 10_000;
/** ...and a claim without a beat for this long is taken to be a scanner that died: another may take it over. */
export const CLAIM_STALE_MS = 60_000;

/**
 * The manifests ever ingested, as one Redis hash: sha256 of the content -> IngestEntry (JSON).
 *
 * Why a claim on the content's sha256 rather than a blob lease plus a claim on name+etag: one atomic
 * step (commands/claim-drop-1.lua) both decides which scanner ingests a drop and recognises the same content
 * dropped again under another name, for blobs and local files alike. The claim lives in Redis, next
 * to the runs, so it survives scanner restarts (keep AOF on, as for the queue).
 *
 * Like a lease, a claim must be kept alive until its run is recorded: the claimant beats every
 * CLAIM_HEARTBEAT_MS (a large manifest may take minutes to enqueue), and a claim silent for
 * CLAIM_STALE_MS is taken over by the next scanner that meets the manifest, so a scanner killed
 * mid-ingest does not strand it. A taken-over ingest that had already enqueued some jobs costs
 * nothing twice: the new run attaches to the same jobs (ids from the content) and finds stored images.
 */
export class IngestLedger {
  readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    keyBase: string,
    readonly staleMs = CLAIM_STALE_MS,
  ) {
    this.key = `${keyBase}:drops:ingested`;
  }

  /**
   * Claims this content for `source`. `held` undefined: the claim is ours (`tookOver`: from a claimant
   * that stopped beating); otherwise the live entry that holds it.
   */
  async claim(sha256: string, source: string): Promise<{ held?: IngestEntry; tookOver?: IngestEntry }> {
    const [taken, entry] = (await runScript(this.redis, 'claim-drop', [this.key], [sha256, source, String(this.staleMs)])) as [number, string];
    if (Number(taken) === 1) return entry ? { tookOver: JSON.parse(entry) as IngestEntry } : {};
    return { held: JSON.parse(entry) as IngestEntry };
  }

  /** Keeps our claim alive; false when it is no longer ours. */
  async heartbeat(sha256: string, source: string): Promise<boolean> {
    return Number(await runScript(this.redis, 'beat-drop', [this.key], [sha256, source])) === 1;
  }

  /** The run started for the content we claimed. */
  async recordRun(sha256: string, source: string, runId: string, now = Date.now()): Promise<void> {
    const entry: IngestEntry = { source, runId, claimedAt: now };
    await this.redis.hset(this.key, sha256, JSON.stringify(entry));
  }

  /** Gives our claim back (the manifest was rejected, or ingestion failed): the same content may be dropped again. */
  async release(sha256: string, source: string): Promise<void> {
    await runScript(this.redis, 'release-drop', [this.key], [sha256, source]);
  }

  async get(sha256: string): Promise<IngestEntry | undefined> {
    const value = await this.redis.hget(this.key, sha256);
    return value === null ? undefined : (JSON.parse(value) as IngestEntry);
  }
}
