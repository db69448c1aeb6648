// Where every item of the soak ended up, from three independent records: the run's report rows (what
// Polyglyph settled), the queues (what is still waiting, running or delayed) and the blobs in storage
// (what is really there). An item is lost only when none of them accounts for it: not stored, not
// failed with a reason, and no job left that would still settle it.
import type { ContainerClient } from '@azure/storage-blob';
import type { Queue } from 'bullmq';
import type { RunStore } from '../../src/runs/run-store.js';
import type { BenchItem } from '../quota/manifest.js';

/** BullMQ states in which a job will still run (or is running). */
const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

export interface ItemAccount {
  /** Settled as created or already stored, and its image blob is in storage. */
  stored: number;
  /** Settled as failed (with a code and a message: see the run's failures). */
  failed: number;
  /** Not settled, its job still queued, running or delayed (on the image or the text-check queue). */
  pending: number;
  /** Neither settled nor pending: nothing will ever settle it. */
  lost: number;
  /** Of the lost, how many have their image in storage anyway (paid for, never reported). */
  lostWithBlob: number;
  /** Settled as stored while no blob of theirs is in storage. */
  settledWithoutBlob: number;
  /** Image blobs beyond the first for one item and variant. */
  duplicatedBlobs: number;
  /** A few lost items, for the diagnosis. */
  lostExamples: string[];
}

const keyOf = (id: string, locale: string): string => `${id}/${locale}`;

/** Image blobs (not sidecars or reports) by item, from their metadata. */
async function blobsByItem(container: ContainerClient): Promise<Map<string, number>> {
  const blobs = new Map<string, number>();
  for await (const blob of container.listBlobsFlat({ includeMetadata: true })) {
    if (blob.name.endsWith('.json') || blob.name.startsWith('reports/')) continue;
    const key = `${keyOf(String(blob.metadata?.messageid), String(blob.metadata?.locale))}/${blob.metadata?.variant}`;
    blobs.set(key, (blobs.get(key) ?? 0) + 1);
  }
  return blobs;
}

/** Items whose job will still run: image jobs by their own fields, check jobs by the image job they carry. */
async function pendingItems(imageQueue: Queue, checkQueue: Queue | undefined): Promise<Set<string>> {
  const pending = new Set<string>();
  for (const job of await imageQueue.getJobs([...PENDING_STATES])) {
    const data = job?.data as { messageId?: string; locale?: string } | undefined;
    if (data?.messageId && data.locale) pending.add(keyOf(data.messageId, data.locale));
  }
  for (const job of checkQueue ? await checkQueue.getJobs([...PENDING_STATES]) : []) {
    const data = job?.data as { image?: { messageId?: string; locale?: string } } | undefined;
    if (data?.image?.messageId && data.image.locale) pending.add(keyOf(data.image.messageId, data.image.locale));
  }
  return pending;
}

export async function accountForItems(
  items: readonly BenchItem[],
  runId: string,
  store: RunStore,
  queues: { images: Queue; checks?: Queue | undefined },
  container: ContainerClient,
): Promise<ItemAccount> {
  const settled = new Map<string, string>();
  for await (const row of store.rows(runId)) {
    const key = keyOf(row.id, row.locale);
    // An item's rows: any stored variant counts it stored; a failed row without a stored one, failed.
    if (settled.get(key) !== 'stored') settled.set(key, row.status === 'created' || row.status === 'exists' ? 'stored' : row.status);
  }
  const [blobs, pending] = await Promise.all([blobsByItem(container), pendingItems(queues.images, queues.checks)]);
  const account: ItemAccount = { stored: 0, failed: 0, pending: 0, lost: 0, lostWithBlob: 0, settledWithoutBlob: 0, duplicatedBlobs: 0, lostExamples: [] };
  for (const count of blobs.values()) account.duplicatedBlobs += Math.max(0, count - 1);
  for (const item of items) {
    const key = keyOf(item.id, item.locale);
    const hasBlob = blobs.has(`${key}/1`);
    const outcome = settled.get(key);
    if (outcome === 'stored' && hasBlob) account.stored += 1;
    else if (outcome === 'failed') account.failed += 1;
    else if (outcome === undefined && pending.has(key)) account.pending += 1;
    else {
      account.lost += 1;
      if (outcome === 'stored') account.settledWithoutBlob += 1;
      else if (hasBlob) account.lostWithBlob += 1;
      if (account.lostExamples.length < 5)
        account.lostExamples.push(`${key} (${outcome === undefined ? 'never settled' : `settled ${outcome}`}, ${hasBlob ? 'blob stored' : 'no blob'}, no job pending)`);
    }
  }
  return account;
}
