// The soak's account of its items (bench/soak/item-accounting.ts): an item still queued at the end is
// pending, not lost; lost is only what nothing accounts for. The old soak counted every item without
// a blob as lost, so a slow machine's queue read as a loss.
import type { ContainerClient } from '@azure/storage-blob';
import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { ReportRow } from '../../src/runs/report-row.js';
import type { RunStore } from '../../src/runs/run-store.js';
import { accountForItems } from '../../bench/soak/item-accounting.js';
import { benchItems } from '../../bench/quota/manifest.js';

const items = benchItems(7, 'test');
const [stored, failed, queued, checking, lost, lostWithBlob, settledNoBlob] = items;

function row(item: (typeof items)[number], status: ReportRow['status']): Partial<ReportRow> {
  return { id: item.id, locale: item.locale, status };
}

async function* listOf<T>(values: readonly T[]): AsyncGenerator<T> {
  for (const value of values) yield await Promise.resolve(value);
}

const store = { rows: () => listOf([row(stored!, 'created'), row(failed!, 'failed'), row(settledNoBlob!, 'created')]) } as unknown as RunStore;

const queueWith = (data: unknown[]): Queue => ({ getJobs: () => Promise.resolve(data.map((entry) => ({ data: entry }))) }) as unknown as Queue;

const blob = (item: (typeof items)[number], variant = 1) => ({ name: `${item.id}/${item.locale}.jpeg`, metadata: { messageid: item.id, locale: item.locale, variant: String(variant) } });
const container = {
  listBlobsFlat: () => listOf([blob(stored!), { ...blob(stored!), name: 'other-layout.jpeg' }, { name: `${stored!.id}.json`, metadata: {} }, blob(lostWithBlob!)]),
} as unknown as ContainerClient;

describe('soak item accounting', () => {
  it('tells stored, failed, still queued (image or check job) and lost apart, and counts duplicate blobs', async () => {
    const account = await accountForItems(
      items,
      'run',
      store,
      { images: queueWith([{ messageId: queued!.id, locale: queued!.locale }]), checks: queueWith([{ image: { messageId: checking!.id, locale: checking!.locale } }]) },
      container,
    );
    expect(account).toMatchObject({ stored: 1, failed: 1, pending: 2, lost: 3, lostWithBlob: 1, settledWithoutBlob: 1, duplicatedBlobs: 1 });
    expect(account.lostExamples.join('\n')).toContain(`${lost!.id}/${lost!.locale} (never settled, no blob, no job pending)`);
  });
});
