import { resolve } from 'node:path';
import type { Queue } from 'bullmq';
import { InputError } from '../errors/polyglyph-error.js';
import { MAX_VARIANTS } from '../images/image-options.js';
import { readManifest } from '../manifest/read-manifest.js';
import { enqueueItems } from '../queue/enqueue-manifest.js';
import type { ImageJobData } from '../queue/image-job.js';
import { outcomeCounts, textCheckCounts, type OutcomeCounts } from './outcome-counts.js';
import type { ReportRow } from './report-row.js';
import type { RetryOptions } from './retry-run.js';
import type { RunStore } from './run-store.js';

export interface RerenderOptions extends Omit<RetryOptions, 'now'> {
  /** The item whose image was rejected. */
  messageId: string;
  locale: string;
  /** The rejected image's model (its row's); matters only for runs that name models. */
  model: string;
  /**
   * Called with the item as the manifest has it now, before anything changes: throws to refuse (the
   * budget check). Gets the model, size and quality of the image to be made.
   */
  checkBudget?: (image: { model: string; size: string; quality: string }) => void;
  now?: () => number;
}

/**
 * Renders one more variant of an item whose image a reviewer rejected, through the retry path: the
 * item's rows leave the run (as `retry` does for a failed item), its job is enqueued again asking for
 * one variant more, and the variants already stored are found and kept (nothing paid twice) while the
 * new one is generated. Texts translated for the run are rendered again verbatim.
 */
export async function rerenderItem(deps: { queue: Queue<ImageJobData>; runStore: RunStore }, options: RerenderOptions): Promise<{ variant: number }> {
  const now = options.now ?? Date.now;
  const rows: ReportRow[] = [];
  for await (const row of deps.runStore.rows(options.runId)) {
    if (row.id === options.messageId && row.locale === options.locale && row.model === options.model) rows.push(row);
  }
  const variants = rows.filter((row) => row.variant !== '').map((row) => Number(row.variant));
  if (variants.length === 0) throw new InputError(`run ${options.runId} has no stored image of ${options.messageId} (${options.locale}) to render again`);
  if (rows.some((row) => row.status === 'failed' || row.status === 'cancelled'))
    throw new InputError(`${options.messageId} (${options.locale}) has a failed item: use \`polyglyph retry ${options.runId}\``);
  const next = Math.max(...variants) + 1;
  if (next > MAX_VARIANTS) throw new InputError(`${options.messageId} (${options.locale}) has ${MAX_VARIANTS} variants already, the most one request can ask for`);

  let found = false;
  for await (const event of readManifest(options.manifestPath, options.defaults)) {
    if (event.type === 'item' && event.item.id === options.messageId && (event.item.locales as string[]).includes(options.locale)) {
      found = true;
      options.checkBudget?.({ model: options.model, size: event.item.size, quality: event.item.quality });
      break;
    }
  }
  if (!found) throw new InputError(`the manifest ${options.manifestPath} no longer has ${options.messageId} for ${options.locale}`, { hint: 'restore the row, or render it with a new run' });

  const counts: OutcomeCounts = outcomeCounts({
    locale: options.locale,
    variants: variants.length,
    created: rows.filter((row) => row.status === 'created').length,
    existing: rows.filter((row) => row.status === 'exists').length,
  });
  // One item more to settle, and one image more planned (negative: reopen takes counts back).
  // The rows' text-check counters leave with them: the new job checks every variant again.
  for (const [field, value] of Object.entries(textCheckCounts(rows))) counts[field] = (counts[field] ?? 0) + value;
  Object.assign(counts, { settled: 1, total: 1, imagesPlanned: -1, [`locale:${options.locale}:planned`]: -1 });
  await deps.runStore.reopen(options.runId, rows, counts);
  const translations = await deps.runStore.translations(options.runId);
  // The run's job ids name its destination (retry-run.ts): the dashboard's or check worker's own storage may differ.
  const { destination } = (await deps.runStore.get(options.runId)) ?? {};
  const wanted = (data: ImageJobData): boolean => data.messageId === options.messageId && data.locale === options.locale && data.model === options.model;
  await enqueueItems(
    deps,
    {
      ...options,
      ...(translations.size > 0 ? { translations } : {}),
      destination,
      manifestPath: resolve(options.manifestPath),
      manifest: options.manifestPath,
      fresh: true,
      transformItem: (item) => (item.id === options.messageId ? { ...item, variants: next } : item),
    },
    (job) => wanted(job.data),
  );
  await deps.runStore.markEnqueued(options.runId, now());
  return { variant: next };
}
