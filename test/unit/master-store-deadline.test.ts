// A master creative on our own storage account is read with the account's credentials: that read has
// the same deadline as every other storage call (POLYGLYPH_STORAGE_TIMEOUT_MS), so an account that
// accepts the connection and never answers ends the enqueue with one clear line, not a hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/redis/connection.js';
import { InputError } from '../../src/errors/polyglyph-error.js';
import { MasterStore } from '../../src/sources/master-store.js';
import { BlobStore } from '../../src/storage/blob-store.js';
import { StorageTimeoutError } from '../../src/errors/storage-error.js';
import { AZURITE_ACCOUNT_NAME } from '../../src/local-services/azurite.js';
import { startBlackHole, storageConnectionString, type BlackHole } from '../helpers/black-hole.js';

let hole: BlackHole;
beforeAll(async () => {
  hole = await startBlackHole();
});
afterAll(async () => {
  await hole?.close();
});

describe('MasterStore on a storage account that never answers', () => {
  it('gives up after the store deadline with an InputError naming the timeout, never hanging', async () => {
    const storage = BlobStore.fromSettings({ storageConnectionString: storageConnectionString(hole.port), container: 'images', storageTimeoutMs: 300, storageMaxTries: 1 });
    // Nothing reaches Redis before the download: a client that is never called.
    const masters = new MasterStore({} as RedisClient, 'pg-test', { storage });
    const url = `http://127.0.0.1:${hole.port}/${AZURITE_ACCOUNT_NAME}/masters/spring.png`;
    const outcome = await masters.resolve({ kind: 'url', url }, 7).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(InputError);
    expect((outcome as Error).message).toMatch(/^line 7: cannot read the source image .*did not answer downloading the source image .* within 300 ms \(POLYGLYPH_STORAGE_TIMEOUT_MS\)/);
  }, 20_000);
});

describe('BlobStore reads and rewrites on a storage account that never answers', () => {
  it('download, metadata, mergeMetadata and replace each end at the deadline as a StorageTimeoutError', async () => {
    const storage = BlobStore.fromSettings({ storageConnectionString: storageConnectionString(hole.port), container: 'images', storageTimeoutMs: 300, storageMaxTries: 1 });
    const calls: Record<string, () => Promise<unknown>> = {
      download: () => storage.download('a.png'),
      metadata: () => storage.metadata('a.png'),
      mergeMetadata: () => storage.mergeMetadata('a.png', { review: 'approved' }),
      replace: () => storage.replace('a.json', Buffer.from('{}'), 'application/json'),
    };
    for (const [name, call] of Object.entries(calls)) {
      const outcome = await call().then(
        () => 'answered',
        (error: unknown) => error,
      );
      expect(outcome, name).toBeInstanceOf(StorageTimeoutError);
    }
  }, 20_000);
});
