import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import { clusterOptions, parseClusterNodes } from '../../src/redis/connection.js';

describe('REDIS_CLUSTER_NODES', () => {
  it('selects cluster mode and gives the queue prefix a {hash tag}, unless it has one', () => {
    expect(resolveConfig({}, {}).queuePrefix).toBe('polyglyph');
    expect(resolveConfig({}, { REDIS_CLUSTER_NODES: '10.0.0.4:6379,10.0.0.5:6379' })).toMatchObject({ queuePrefix: '{polyglyph}', redisClusterNodes: '10.0.0.4:6379,10.0.0.5:6379' });
    expect(resolveConfig({}, { REDIS_CLUSTER_NODES: 'a:1', POLYGLYPH_QUEUE_PREFIX: '{mine}' }).queuePrefix).toBe('{mine}');
    // Enterprise cluster policy: no cluster client, the tag given by hand.
    expect(resolveConfig({}, { POLYGLYPH_QUEUE_PREFIX: '{polyglyph}' }).queuePrefix).toBe('{polyglyph}');
  });

  it('a malformed list is a configuration error naming the variable', () => {
    expect(() => resolveConfig({}, { REDIS_CLUSTER_NODES: 'host-without-port' })).toThrow(ConfigError);
    expect(() => resolveConfig({}, { REDIS_CLUSTER_NODES: 'host-without-port' })).toThrow(/REDIS_CLUSTER_NODES \(--redis-cluster-nodes\): expected host:port pairs/);
    expect(() => resolveConfig({}, { POLYGLYPH_QUEUE_PREFIX: 'a{b}' })).toThrow(/POLYGLYPH_QUEUE_PREFIX/);
  });

  it('seeds parse to host and port; credentials and TLS come from REDIS_URL, the seed names the TLS server', () => {
    expect(parseClusterNodes(' a.example.net:10000, [::1]:7000 ')).toEqual([
      { host: 'a.example.net', port: 10000 },
      { host: '::1', port: 7000 },
    ]);
    expect(() => parseClusterNodes('a:0')).toThrow(/expected host:port/);
    const options = clusterOptions('rediss://user:p%40ss@ignored:6380', [{ host: 'cache.example.net', port: 10000 }], { maxRetriesPerRequest: null });
    expect(options.redisOptions).toMatchObject({ username: 'user', password: 'p@ss', tls: { servername: 'cache.example.net' }, maxRetriesPerRequest: null });
    expect(typeof options.dnsLookup).toBe('function');
    expect(clusterOptions('redis://127.0.0.1:7000', [{ host: '127.0.0.1', port: 7000 }]).redisOptions).not.toHaveProperty('tls');
  });
});
