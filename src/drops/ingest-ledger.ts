import type { Redis } from 'ioredis';

/** What the ledger holds for one manifest content (sha256): who took it and, once started, its run. */
export interface IngestEntry {
  /** Where the copy that won came from, with its version: `blob:<name>@<etag>` or `dir:<name>@<mtime>`. */
  source: string;
  runId?: string | undefined;
  claimedAt: number;
}

/** Takes the field only when it is absent; returns null when we took it, else the current value. */
const CLAIM_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then return current end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return false
`;

/**
 * The manifests ever ingested, as one Redis hash: sha256 of the content -> IngestEntry (JSON).
 *
 * Why a claim on the content's sha256 rather than a blob lease plus a claim on name+etag: one atomic
 * step (HGET/HSET in a Lua script) both decides which scanner ingests a drop and recognises the same
 * content dropped again under another name, for blobs and local files alike. A lease lasts at most
 * 60 s (a large manifest can take longer to enqueue, so it would need renewing) and guards only one
 * blob name. The claim lives in Redis, next to the runs, so it survives scanner restarts (keep AOF on,
 * as for the queue). Deleting the processed blob is conditional on the etag we read, so a newer upload
 * under the same name is never lost.
 */
export class IngestLedger {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    keyBase: string,
  ) {
    this.key = `${keyBase}:drops:ingested`;
  }

  /** Claims this content for `source`. Returns null when the claim is ours, else the entry that holds it. */
  async claim(sha256: string, source: string, now = Date.now()): Promise<IngestEntry | null> {
    const entry: IngestEntry = { source, claimedAt: now };
    const current = (await this.redis.eval(CLAIM_SCRIPT, 1, this.key, sha256, JSON.stringify(entry))) as string | null;
    return current === null ? null : (JSON.parse(current) as IngestEntry);
  }

  /** The run started for the content we claimed. */
  async recordRun(sha256: string, source: string, runId: string, now = Date.now()): Promise<void> {
    const entry: IngestEntry = { source, runId, claimedAt: now };
    await this.redis.hset(this.key, sha256, JSON.stringify(entry));
  }

  /** Gives a claim back (the manifest was rejected, or ingestion failed): the same content may be dropped again. */
  async release(sha256: string): Promise<void> {
    await this.redis.hdel(this.key, sha256);
  }

  async get(sha256: string): Promise<IngestEntry | undefined> {
    const value = await this.redis.hget(this.key, sha256);
    return value === null ? undefined : (JSON.parse(value) as IngestEntry);
  }
}
