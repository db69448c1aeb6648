import { describe, expect, it } from 'vitest';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../../src/local-services/azurite.js';
import { imageJobId } from '../../src/queue/image-job.js';
import { BlobStore } from '../../src/storage/blob-store.js';
import { storageDestination } from '../../src/storage/destination.js';

// Azurite's well-known development account (no live service is needed: nothing is sent).
const AZURITE = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:10000/${AZURITE_ACCOUNT_NAME};`;
const hash = 'a'.repeat(64);

describe('storage destination', () => {
  it('is 8 hex digits of the container URL: the same for the same container, another for another container or account', () => {
    const images = storageDestination('https://acct.blob.core.windows.net/images');
    expect(images).toMatch(/^[0-9a-f]{8}$/);
    expect(storageDestination('https://acct.blob.core.windows.net/images/')).toBe(images);
    expect(storageDestination('https://ACCT.blob.core.windows.net/images')).toBe(images);
    expect(storageDestination('https://acct.blob.core.windows.net/images-new')).not.toBe(images);
    expect(storageDestination('https://other.blob.core.windows.net/images')).not.toBe(images);
  });

  it('leaves the port out on this machine only: the embedded Azurite starts on a new port each time', () => {
    const azurite = storageDestination('http://127.0.0.1:10000/devstoreaccount1/images');
    expect(storageDestination('http://127.0.0.1:52011/devstoreaccount1/images')).toBe(azurite);
    expect(storageDestination('http://localhost:52011/devstoreaccount1/images')).not.toBe(azurite);
    expect(storageDestination('http://127.0.0.1:52011/devstoreaccount1/other')).not.toBe(azurite);
    expect(storageDestination('http://storage.example:10000/acct/images')).not.toBe(storageDestination('http://storage.example:10001/acct/images'));
  });

  // A packed tarball installed in a new folder, on the Redis a clone had used: its quick start reported
  // "19 already stored", and its own (empty) Azurite had none of them.
  it("on this machine, tells one data folder's Azurite from another's, whatever their ports", () => {
    const clone = storageDestination('http://127.0.0.1:36069/devstoreaccount1/polyglyph', '/work/clone/.polyglyph');
    expect(storageDestination('http://127.0.0.1:41877/devstoreaccount1/polyglyph', '/work/clone/.polyglyph')).toBe(clone);
    expect(storageDestination('http://127.0.0.1:36069/devstoreaccount1/polyglyph', '/tmp/installed/.polyglyph')).not.toBe(clone);
    // A real account is the same account from any folder.
    expect(storageDestination('https://acct.blob.core.windows.net/images', '/a')).toBe(storageDestination('https://acct.blob.core.windows.net/images', '/b'));
    const fromConfig = (localDir: string): string => BlobStore.fromSettings({ storageConnectionString: AZURITE, container: 'polyglyph', localDir }).destination;
    expect(fromConfig('/work/clone/.polyglyph')).toBe(storageDestination('http://127.0.0.1:10000/devstoreaccount1/polyglyph', '/work/clone/.polyglyph'));
    expect(fromConfig('/tmp/installed/.polyglyph')).not.toBe(fromConfig('/work/clone/.polyglyph'));
  });

  it('never depends on a SAS or key: a SAS in the URL is dropped, and the key is not part of the URL', () => {
    const plain = storageDestination('https://acct.blob.core.windows.net/images');
    expect(storageDestination('https://acct.blob.core.windows.net/images?sv=2024-01-01&sig=c2VjcmV0')).toBe(plain);
    const store = BlobStore.fromSettings({ storageConnectionString: AZURITE, container: 'images' });
    expect(store.destination).toBe(storageDestination('http://127.0.0.1:10000/devstoreaccount1/images'));
    const otherKey = BlobStore.fromSettings({ storageConnectionString: AZURITE.replace(/AccountKey=[^;]+/, 'AccountKey=b3RoZXI='), container: 'images' });
    expect(otherKey.destination).toBe(store.destination);
  });

  it('qualifies image job ids when known, without ":" (BullMQ refuses it); without one the id is as before', () => {
    expect(imageJobId(hash, 2)).toBe(`img.${'a'.repeat(40)}.n2`);
    expect(imageJobId(hash, 2, '0123abcd')).toBe(`img.${'a'.repeat(40)}.n2.d0123abcd`);
    expect(imageJobId(hash, 2, '0123abcd')).not.toContain(':');
    expect(imageJobId(hash, 2, '0123abcd')).not.toBe(imageJobId(hash, 2, '89abcdef'));
  });
});
