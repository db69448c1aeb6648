import type { RedisClient } from '../redis/connection.js';
import { runScript } from '../redis/scripts.js';
import { breakerEffect } from '../errors/retry-policy.js';
import type { ImageApi } from '../image-api/types.js';
import type { DeploymentSpec } from './deployment-spec.js';
import { deploymentKey, deploymentRegistryKey, type DeploymentInfo, type DeploymentKeyPart } from './deployment-keys.js';
import { countNow } from './usage-counters.js';
import { UNUSABLE_NOTE_MIN_MS, configFingerprint, parseUnusableNote, type UnusableNote } from './unusable-note.js';
import { processFingerprintSecret } from './fingerprint-secret.js';

export interface PoolMember {
  spec: DeploymentSpec;
  api: ImageApi;
}

export interface BreakerOptions {
  /** Consecutive failures that take a deployment out. */
  failures: number;
  /** First cool-down; doubles with each trip in a row, up to 32x. */
  cooldownMs: number;
  /** Key of the configuration fingerprints in unusable notes (fingerprint-secret.ts); default: this process's. */
  fingerprintSecret?: Buffer | undefined;
  /**
   * How long the one trial request after a cool-down (half-open) holds the deployment for every
   * worker, should its worker vanish without an answer: longer than a request may take. Default
   * DEFAULT_TRIAL_LEASE_MS.
   */
  trialLeaseMs?: number;
}

/** openai-node's 10-minute request timeout, Polyglyph's default, plus the trial job's own work around it. */
export const DEFAULT_TRIAL_LEASE_MS = 630_000;

/**
 * `admittedAt`: Redis time of the admission, handed back with a 429 (see rateLimited). `trial`: the one
 * request a half-open breaker lets through (its outcome closes or re-opens the breaker for everyone).
 */
export type Acquired = { granted: true; member: PoolMember; admittedAt: number; trial: boolean } | { granted: false; waitMs: number };

/**
 * How a quota learned from 429s moves (commands/rate-limited-3.lua, includes/learned-rate.lua): a 429
 * while we pace within the quota we believe in cuts the deployment's rate to LEARN_BETA times the rate
 * it was refused at; the rate climbs back in LEARN_RECOVERY_S seconds to LEARN_PLATEAU times that rate
 * (below it: that rate was refused), holds there, then probes beyond it, slowly at first and faster and
 * faster (LEARN_PROBE_S: the plateau doubles that long after the probe starts), up to the configured
 * quota. An unchanged quota answers each probe with one 429 about 45 s after the previous cut; a quota
 * raised on the service is found again in about a minute. Chosen in a simulation of the bench's
 * stand-in (GCRA, 60/min, configured 120/min), then measured with `npm run bench:quota`: a plateau at
 * the refused rate itself (plain CUBIC) bought a 429 every ~10 s, about 9 % of requests.
 */
export const LEARN_BETA = 0.7;
export const LEARN_PLATEAU = 0.9;
export const LEARN_RECOVERY_S = 30;
export const LEARN_PROBE_S = 30;
const LEARN_C = 1 / LEARN_PROBE_S ** 3;

/**
 * The deployments a worker can send work to, with their shared state in Redis: each one's quota
 * (GCRA, image-weighted), its 429 back-off and its circuit breaker. Every worker on every machine
 * sees the same state, so the pool as a whole runs at the sum of the quotas and a refusal or an outage
 * on one deployment moves everyone's work to the others.
 */
export class DeploymentPool {
  readonly members: readonly PoolMember[];
  readonly #redis: RedisClient;
  readonly #keyBase: string;
  readonly #breaker: BreakerOptions;

  constructor(redis: RedisClient, keyBase: string, members: PoolMember[], breaker: BreakerOptions) {
    if (members.length === 0) throw new RangeError('a deployment pool needs at least one deployment');
    this.#redis = redis;
    this.#keyBase = keyBase;
    this.members = members;
    this.#breaker = breaker;
  }

  /** Images per minute the pool can take for `model`: the sum of its deployments' quotas. */
  capacity(model: string): number {
    return this.#serving(model).reduce((sum, member) => sum + member.spec.imagesPerMinute, 0);
  }

  serves(model: string): boolean {
    return this.#serving(model).length > 0;
  }

  /** Takes `images` slots on the deployment of `model` free soonest, or says how long until one is. */
  async acquire(model: string, images: number): Promise<Acquired> {
    const candidates = this.#serving(model);
    const keys = candidates.flatMap((member) => [this.#key(member, 'tat'), this.#key(member, 'learned'), this.#key(member, 'trips'), this.#key(member, 'trial')]);
    const quotas = candidates.map((member) => String(member.spec.imagesPerMinute));
    const leaseMs = String(this.#breaker.trialLeaseMs ?? DEFAULT_TRIAL_LEASE_MS);
    const [index, waitMs, admittedAt, trial] = (await runScript(this.#redis, 'acquire', keys, [String(images), leaseMs, ...quotas])) as [number, number, number, number];
    return index >= 0 ? { granted: true, member: candidates[index]!, admittedAt: Number(admittedAt), trial: trial === 1 } : { granted: false, waitMs: Math.max(1, Math.ceil(waitMs)) };
  }

  /**
   * Makes the deployments known to whoever reads the pool's state (the dashboard), with the time a
   * worker served them; nothing secret is written. Repeated while the worker runs (see src/runtime/runtime.ts).
   */
  async register(now = Date.now()): Promise<void> {
    const entries = this.members.map((member): [string, string] => {
      const info: DeploymentInfo = { name: member.spec.name, model: member.spec.model, provider: member.spec.provider, imagesPerMinute: member.spec.imagesPerMinute, seenAt: now };
      return [member.spec.name, JSON.stringify(info)];
    });
    await this.#redis.hset(deploymentRegistryKey(this.#keyBase), Object.fromEntries(entries));
  }

  /**
   * After a 429: no worker starts on this deployment for `ms`, the refusal is counted for this minute,
   * and, unless the request was admitted before the last cut, the deployment's rate drops for every
   * worker (see LEARN_BETA). `admittedAt`: from acquire; omitted, the 429 only holds. Returns the
   * images per minute the deployment now takes.
   */
  async rateLimited(member: PoolMember, ms: number, admittedAt = 0): Promise<number> {
    const keys = [this.#key(member, 'tat'), this.#key(member, 'paused'), this.#key(member, 'learned')];
    // A 429 is an answer: the deployment is up. A half-open trial that met it is over; the next
    // request after the 429's hold is the next trial (the breaker closes on a success).
    await this.#redis.del(this.#key(member, 'trial'));
    const rate = await runScript(this.#redis, 'rate-limited', keys, [
      String(Math.ceil(ms)),
      String(admittedAt),
      String(member.spec.imagesPerMinute),
      String(LEARN_BETA),
      String(LEARN_C),
      String(LEARN_PLATEAU),
      String(LEARN_RECOVERY_S),
    ]);
    await countNow(this.#redis, this.#key(member, 'rate-limited'), 1);
    return Number(rate);
  }

  /** No worker starts on this deployment for `ms` (a `retry-after` the service sent); `why` is shown on the dashboard. */
  async pause(member: PoolMember, ms: number, why: string): Promise<void> {
    await runScript(this.#redis, 'hold', [this.#key(member, 'tat'), this.#key(member, 'paused')], [String(Math.ceil(ms)), why]);
  }

  /** A call succeeded with `images` images: the breaker closes (its count starts over, a half-open trial's lease ends), the images count for this minute. */
  async recordSuccess(member: PoolMember, images: number): Promise<void> {
    await this.#redis.del(this.#key(member, 'failures'), this.#key(member, 'trips'), this.#key(member, 'trial'), this.#key(member, 'unusable'));
    if (images > 0) await countNow(this.#redis, this.#key(member, 'images'), images);
  }

  /**
   * Counts a failure against the deployment's breaker, as the failure taxonomy says (a content
   * refusal is about the prompt, not the deployment, and counts nothing). Returns how long the
   * deployment is now out of the pool (0 when it stays in).
   */
  async recordFailure(member: PoolMember, error: unknown): Promise<number> {
    const effect = breakerEffect(error);
    if (effect === 'none') {
      // Nothing against the deployment (a content refusal is an answer): a half-open trial is over, the next request is the next trial.
      await this.#redis.del(this.#key(member, 'trial'));
      return 0;
    }
    const keys = [this.#key(member, 'failures'), this.#key(member, 'trips'), this.#key(member, 'tat'), this.#key(member, 'paused'), this.#key(member, 'trial')];
    const held = await runScript(this.#redis, 'record-failure', keys, [String(this.#breaker.failures), String(this.#breaker.cooldownMs), effect === 'trip' ? '1' : '0']);
    return Number(held);
  }

  /**
   * Notes that `member` cannot be used as configured (a 401/403/404 or an endpoint that refuses), with
   * what is wrong and the fix, for every worker and `run` to read; kept while its breaker holds it and
   * cleared by its next success. Returns true when it was not noted already: that caller logs it, so
   * a failing deployment makes one log line, not one per item.
   */
  async markUnusable(member: PoolMember, failure: Omit<UnusableNote, 'config'>, heldMs: number): Promise<boolean> {
    const note: UnusableNote = { ...failure, config: this.#fingerprint(member) };
    const ttlMs = Math.max(heldMs, UNUSABLE_NOTE_MIN_MS) + UNUSABLE_NOTE_MIN_MS;
    const previous = await this.#redis.set(this.#key(member, 'unusable'), JSON.stringify(note), 'PX', ttlMs, 'GET');
    return previous === null;
  }

  /** The deployments noted unusable (markUnusable), by name. */
  async unusable(): Promise<Map<string, UnusableNote>> {
    const values = await this.#redis.mget(...this.members.map((member) => this.#key(member, 'unusable')));
    const notes = new Map<string, UnusableNote>();
    values.forEach((value, index) => {
      const note = parseUnusableNote(value);
      if (note) notes.set(this.members[index]!.spec.name, note);
    });
    return notes;
  }

  /**
   * A deployment noted unusable under another configuration than this worker's (the key or endpoint
   * was fixed since) is released at once: note, breaker and hold cleared, so a fixed configuration
   * starts now instead of after a hold that may have doubled to 32 minutes. Returns their names.
   */
  async releaseReconfigured(): Promise<string[]> {
    const notes = await this.unusable();
    const released: string[] = [];
    for (const member of this.members) {
      const note = notes.get(member.spec.name);
      if (!note || note.config === this.#fingerprint(member)) continue;
      await this.#redis.del(...(['failures', 'trips', 'tat', 'paused', 'unusable', 'trial'] as const).map((part) => this.#key(member, part)));
      released.push(member.spec.name);
    }
    return released;
  }

  /** Forgets a note (a probe found the deployment usable after all). */
  async clearUnusable(member: PoolMember): Promise<void> {
    await this.#redis.del(this.#key(member, 'unusable'));
  }

  #fingerprint(member: PoolMember): string {
    return configFingerprint(member.spec, this.#breaker.fingerprintSecret ?? processFingerprintSecret());
  }

  /** The members serving `model`. */
  serving(model: string): PoolMember[] {
    return this.#serving(model);
  }

  #serving(model: string): PoolMember[] {
    return this.members.filter((member) => member.spec.model === model);
  }

  #key(member: PoolMember, part: DeploymentKeyPart): string {
    return deploymentKey(this.#keyBase, member.spec.name, part);
  }
}
