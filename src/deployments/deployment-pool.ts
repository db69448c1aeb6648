import type { RedisClient } from '../redis/connection.js';
import { runScript } from '../redis/scripts.js';
import { breakerEffect } from '../errors/retry-policy.js';
import type { ImageApi } from '../image-api/types.js';
import type { DeploymentSpec } from './deployment-spec.js';
import { deploymentKey, deploymentRegistryKey, type DeploymentInfo, type DeploymentKeyPart } from './deployment-keys.js';
import { countNow } from './usage-counters.js';

export interface PoolMember {
  spec: DeploymentSpec;
  api: ImageApi;
}

export interface BreakerOptions {
  /** Consecutive failures that take a deployment out. */
  failures: number;
  /** First cool-down; doubles with each trip in a row, up to 32x. */
  cooldownMs: number;
}

export type Acquired = { granted: true; member: PoolMember } | { granted: false; waitMs: number };

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
    const keys = candidates.map((member) => this.#key(member, 'tat'));
    const intervals = candidates.map((member) => String(60_000 / member.spec.imagesPerMinute));
    const [index, waitMs] = (await runScript(this.#redis, 'acquire', keys, [String(images), ...intervals])) as [number, number];
    return index >= 0 ? { granted: true, member: candidates[index]! } : { granted: false, waitMs: Math.max(1, Math.ceil(waitMs)) };
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

  /** After a 429: no worker starts on this deployment for `ms`; the refusal is counted for this minute. */
  async hold(member: PoolMember, ms: number): Promise<void> {
    await this.pause(member, ms, 'rate-limited');
    await countNow(this.#redis, this.#key(member, 'rate-limited'), 1);
  }

  /** No worker starts on this deployment for `ms` (a `retry-after` the service sent); `why` is shown on the dashboard. */
  async pause(member: PoolMember, ms: number, why: string): Promise<void> {
    await runScript(this.#redis, 'hold', [this.#key(member, 'tat'), this.#key(member, 'paused')], [String(Math.ceil(ms)), why]);
  }

  /** A call succeeded with `images` images: the breaker's count starts over, the images count for this minute. */
  async recordSuccess(member: PoolMember, images: number): Promise<void> {
    await this.#redis.del(this.#key(member, 'failures'), this.#key(member, 'trips'));
    if (images > 0) await countNow(this.#redis, this.#key(member, 'images'), images);
  }

  /**
   * Counts a failure against the deployment's breaker, as the failure taxonomy says (a content
   * refusal is about the prompt, not the deployment, and counts nothing). Returns how long the
   * deployment is now out of the pool (0 when it stays in).
   */
  async recordFailure(member: PoolMember, error: unknown): Promise<number> {
    const effect = breakerEffect(error);
    if (effect === 'none') return 0;
    const keys = [this.#key(member, 'failures'), this.#key(member, 'trips'), this.#key(member, 'tat'), this.#key(member, 'paused')];
    const held = await runScript(this.#redis, 'record-failure', keys, [String(this.#breaker.failures), String(this.#breaker.cooldownMs), effect === 'trip' ? '1' : '0']);
    return Number(held);
  }

  #serving(model: string): PoolMember[] {
    return this.members.filter((member) => member.spec.model === model);
  }

  #key(member: PoolMember, part: DeploymentKeyPart): string {
    return deploymentKey(this.#keyBase, member.spec.name, part);
  }
}
