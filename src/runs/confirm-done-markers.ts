import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { RedisClient } from '../redis/connection.js';
import type { RunKeys } from './run-keys.js';

/** What attach needs of the producer's storage: whether a blob is there (a HEAD). */
export interface StoredBlobs {
  exists(name: string): Promise<boolean>;
}

/** HEADs in flight while a chunk's markers are confirmed. */
const CONFIRM_CONCURRENCY = 8;

/**
 * The done markers of these items (an outcome settled in the last minutes, commands/settle.lua) whose
 * images are all in `storage`, by job id: the SHA-1 of each marker as read, which attach.lua checks
 * before taking it (a marker rewritten in between is not taken). A marker names what a worker stored
 * in ITS storage: another account or container (another configuration on the same Redis prefix), or
 * the same one emptied since (a fresh Azurite), does not hold those blobs, and a run must never count
 * an image as already stored that is not there. An unconfirmed item waits for its job instead, which
 * finds whatever is stored and makes the rest.
 */
export async function confirmDoneMarkers(redis: RedisClient, keys: RunKeys, jobIds: readonly string[], storage: StoredBlobs): Promise<Map<string, string>> {
  const pipeline = redis.pipeline();
  for (const jobId of jobIds) pipeline.getBuffer(keys.itemDone(jobId));
  const values = ((await pipeline.exec()) ?? []).map(([error, value]) => (error ? null : (value as Buffer | null)));
  const limit = pLimit(CONFIRM_CONCURRENCY);
  const confirmed = new Map<string, string>();
  await Promise.all(
    values.map((value, index) =>
      limit(async () => {
        if (!value) return;
        const names = storedBlobNames(value.toString('utf8'));
        if (names === undefined) return;
        for (const name of names) if (!(await storage.exists(name))) return;
        confirmed.set(jobIds[index]!, createHash('sha1').update(value).digest('hex'));
      }),
    ),
  );
  return confirmed;
}

/** Blob names of the images a marker's rows say are stored; undefined when it cannot be read. */
function storedBlobNames(marker: string): string[] | undefined {
  try {
    const outcome = JSON.parse(marker) as { rows?: unknown };
    if (!Array.isArray(outcome.rows)) return undefined;
    const rows = outcome.rows.map((row) => JSON.parse(String(row)) as { status?: string; blobName?: string });
    return rows.filter((row) => (row.status === 'created' || row.status === 'exists') && row.blobName).map((row) => row.blobName!);
  } catch {
    return undefined;
  }
}
