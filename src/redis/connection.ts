import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { assertClusterReachable, assertRedisReachable, RedisUnreachableError } from '../local-services/redis-probe.js';

/** A connection to one Redis or to a Redis Cluster: the rest of Polyglyph works with either. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /**
   * Workers must keep retrying commands through a Redis restart (BullMQ requires
   * `maxRetriesPerRequest: null` for them); producers and CLI queries should fail fast instead.
   */
  role: 'worker' | 'client';
  /**
   * `REDIS_CLUSTER_NODES`: comma-separated `host:port` seeds of a Redis Cluster. When set, the client
   * is an ioredis Cluster over these seeds; credentials and TLS (`rediss:`) still come from the URL.
   */
  clusterNodes?: string | undefined;
}

/** Exponential reconnect, capped: Azure Cache for Redis fails over in seconds. */
const reconnect = (times: number): number => Math.min(100 * 2 ** times, 5_000);

/**
 * Fails fast with a clear message when Redis (or every seed of the cluster) does not answer, before
 * BullMQ would retry forever.
 */
export async function assertReachable(url: string, clusterNodes: string | undefined, timeoutMs?: number): Promise<void> {
  const seeds = parseClusterNodes(clusterNodes);
  if (seeds.length === 0) await assertRedisReachable(url, timeoutMs);
  else await assertClusterReachable(url, seeds, timeoutMs);
}

/**
 * assertReachable for a process meant to run for hours (`worker`). A Redis that refuses, does not
 * resolve or rejects the password still fails within 2 s; one that is there and only slow to answer
 * (a starved host: seen 15 times in one soak at load 40) gets `patienceMs` more, and `onSlow` says so.
 * Exiting on a late PING made a supervisor restart such workers in a loop, each start-up costing
 * seconds of CPU on the host that was already short of it.
 */
export async function awaitReachable(url: string, clusterNodes: string | undefined, options: { patienceMs?: number; onSlow?: (error: RedisUnreachableError) => void } = {}): Promise<void> {
  try {
    await assertReachable(url, clusterNodes);
  } catch (error) {
    if (!(error instanceof RedisUnreachableError) || !error.noAnswer) throw error;
    options.onSlow?.(error);
    await assertReachable(url, clusterNodes, options.patienceMs ?? 30_000);
  }
}

export function createRedis(url: string, options: RedisConnectionOptions): RedisClient {
  const shared = { maxRetriesPerRequest: options.role === 'worker' ? null : 3, enableReadyCheck: true } satisfies RedisOptions;
  const seeds = parseClusterNodes(options.clusterNodes);
  if (seeds.length === 0) return new Redis(url, { ...shared, retryStrategy: reconnect });
  return new Cluster(seeds, clusterOptions(url, seeds, shared));
}

/**
 * ioredis Cluster options for these seeds. Credentials and TLS come from the URL (its host is not
 * used). TLS checks the certificate against the seed's host name: cluster nodes announce themselves
 * by IP (Azure Cache for Redis, Azure Managed Redis with the OSS policy), so the nodes are dialled
 * by the address they announce, with the seed's name as the TLS server name (ioredis's advice for
 * TLS clusters).
 */
export function clusterOptions(url: string, seeds: ReadonlyArray<{ host: string; port: number }>, shared: RedisOptions = {}): ClusterOptions {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'rediss:';
  const redisOptions: RedisOptions = {
    ...shared,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(tls ? { tls: { servername: seeds[0]!.host } } : {}),
  };
  return {
    redisOptions,
    ...(tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    // A node that restarts keeps its slots (no failover): reconnect to it and hold its commands
    // meanwhile, instead of dropping the node and failing them after a few redirections.
    clusterNodeRetryStrategy: reconnect,
    clusterRetryStrategy: reconnect,
    // CLUSTERDOWN while a master is away, TRYAGAIN during a reshard: retry for a while (64 tries
    // 300 ms apart, ~20 s) rather than surfacing the error at the first refusal.
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 300,
    retryDelayOnFailover: 300,
    maxRedirections: 64,
    enableReadyCheck: true,
  };
}

/** `host:port,host:port` -> seeds; '' or undefined -> none. Throws RangeError on a malformed entry. */
export function parseClusterNodes(value: string | undefined): Array<{ host: string; port: number }> {
  if (!value?.trim()) return [];
  return value.split(',').map((entry) => {
    const match = /^\s*(\[[^\]]+\]|[^\s:]+):(\d{1,5})\s*$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) throw new RangeError(`expected host:port, got "${entry.trim()}"`);
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

/**
 * Another connection like `redis`, with some options changed (a probe that fails fast, a worker's own
 * blocking connection). On a cluster the options apply to every node's connection, and
 * `enableOfflineQueue` to the cluster client too.
 */
export function duplicateRedis(redis: RedisClient, overrides: Partial<RedisOptions>): RedisClient {
  if (redis instanceof Cluster) {
    const offline = overrides.enableOfflineQueue === undefined ? {} : { enableOfflineQueue: overrides.enableOfflineQueue };
    return redis.duplicate(undefined, { ...offline, redisOptions: { ...redis.options.redisOptions, ...overrides } });
  }
  return redis.duplicate(overrides);
}
