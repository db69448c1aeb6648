import type { Redis } from 'ioredis';

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
 * Server time from Redis (TIME), not the scanner's clock: scanners on different machines compare
 * heartbeats against one clock, so a skewed host cannot steal or keep a claim.
 */
const NOW_MS = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function isLive(entry, now, staleMs)
  if type(entry.runId) == 'string' then return true end
  local beat = tonumber(entry.heartbeatAt or entry.claimedAt) or 0
  return now - beat < staleMs
end
`;

/**
 * KEYS[1] ledger; ARGV: sha256, source, staleMs. Takes the field when it is absent, or when it holds
 * a claim with no run whose claimant stopped beating. Returns {1, previous or ''} when the claim is
 * ours, {0, current} when another holds it.
 */
const CLAIM_SCRIPT = `${NOW_MS}
local now = nowMs()
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and isLive(cjson.decode(current), now, tonumber(ARGV[3])) then return {0, current} end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ source = ARGV[2], claimedAt = now, heartbeatAt = now }))
return {1, current or ''}
`;

/** KEYS[1] ledger; ARGV: sha256, source. Beats for our claim; 0 when it is no longer ours (taken over, or released). */
const HEARTBEAT_SCRIPT = `${NOW_MS}
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local entry = cjson.decode(current)
if entry.source ~= ARGV[2] or type(entry.runId) == 'string' then return 0 end
entry.heartbeatAt = nowMs()
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
return 1
`;

/** KEYS[1] ledger; ARGV: sha256, source. Deletes the claim only while it is ours and has no run. */
const RELEASE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local entry = cjson.decode(current)
if entry.source ~= ARGV[2] or type(entry.runId) == 'string' then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`;

/**
 * The manifests ever ingested, as one Redis hash: sha256 of the content -> IngestEntry (JSON).
 *
 * Why a claim on the content's sha256 rather than a blob lease plus a claim on name+etag: one atomic
 * step (a Lua script) both decides which scanner ingests a drop and recognises the same content
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
    private readonly redis: Redis,
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
    const [taken, entry] = (await this.redis.eval(CLAIM_SCRIPT, 1, this.key, sha256, source, String(this.staleMs))) as [number, string];
    if (Number(taken) === 1) return entry ? { tookOver: JSON.parse(entry) as IngestEntry } : {};
    return { held: JSON.parse(entry) as IngestEntry };
  }

  /** Keeps our claim alive; false when it is no longer ours. */
  async heartbeat(sha256: string, source: string): Promise<boolean> {
    return Number(await this.redis.eval(HEARTBEAT_SCRIPT, 1, this.key, sha256, source)) === 1;
  }

  /** The run started for the content we claimed. */
  async recordRun(sha256: string, source: string, runId: string, now = Date.now()): Promise<void> {
    const entry: IngestEntry = { source, runId, claimedAt: now };
    await this.redis.hset(this.key, sha256, JSON.stringify(entry));
  }

  /** Gives our claim back (the manifest was rejected, or ingestion failed): the same content may be dropped again. */
  async release(sha256: string, source: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key, sha256, source);
  }

  async get(sha256: string): Promise<IngestEntry | undefined> {
    const value = await this.redis.hget(this.key, sha256);
    return value === null ? undefined : (JSON.parse(value) as IngestEntry);
  }
}
