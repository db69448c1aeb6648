import { resolve } from 'node:path';
import type { Queue } from 'bullmq';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { enqueueItems, ManifestInvalidError } from '../queue/enqueue-manifest.js';
import type { ImageJobData } from '../queue/image-job.js';
import type { JobContext } from '../queue/item-jobs.js';
import type { MasterStore } from '../sources/master-store.js';
import { validateManifest } from '../manifest/validate-manifest.js';
import { readManifest } from '../manifest/read-manifest.js';
import { outcomeCounts, type OutcomeCounts } from './outcome-counts.js';
import type { ReportRow } from './report-row.js';
import type { RunStore } from './run-store.js';

/** No `destination`: the run's recorded one is used, so the items keep their ids whatever this shell's storage. */
export interface RetryOptions extends Omit<JobContext, 'manifest' | 'runId' | 'masters' | 'destination'> {
  masterStore?: MasterStore | undefined;
  runId: string;
  /** The manifest to read the failed rows from (fixed, perhaps); default: the one the run was made from. */
  manifestPath: string;
  defaults: ManifestDefaults;
  now?: () => number;
}

export interface RetryResult {
  /** Failed items put back in the queue. */
  retried: number;
  /** Failed items whose (id, locale) the manifest no longer has: they stay failed. */
  notInManifest: number;
  /** Every retried item was already stored: the run finished again at once. */
  finished: boolean;
}

/** An item: (id, locale), and its model when the run named models (one row, several models' items). */
const key = (id: string, locale: string, model?: string): string => (model === undefined ? `${id}\u0000${locale}` : `${id}\u0000${locale}\u0000${model}`);

/**
 * Puts a run's failed items back in the queue under the same run, read afresh from the manifest (so
 * a fixed prompt or configuration takes effect). Their failed rows leave the report and the counters
 * first, and the run is open until every one of them settles again.
 */
export async function retryFailed(deps: { queue: Queue<ImageJobData>; runStore: RunStore }, options: RetryOptions): Promise<RetryResult> {
  const now = options.now ?? Date.now;
  const summary = await validateManifest(options.manifestPath, options.defaults);
  if (summary.errors > 0) throw new ManifestInvalidError(summary);

  // Rows are filed under (id, locale) for rows that name no model (matched whatever the model is now,
  // so a retry with another deployment works) and under (id, locale, model) for rows that name models.
  const rowsByItem = new Map<string, ReportRow[]>();
  const failed = new Map<string, string>();
  for await (const row of deps.runStore.rows(options.runId)) {
    for (const item of [key(row.id, row.locale), key(row.id, row.locale, row.model)]) (rowsByItem.get(item) ?? rowsByItem.set(item, []).get(item)!).push(row);
    if (row.status === 'failed') failed.set(key(row.id, row.locale, row.model), key(row.id, row.locale));
  }
  if (failed.size === 0) return { retried: 0, notInManifest: 0, finished: false };
  const failedItems = new Set([...failed.keys(), ...failed.values()]);

  // Which failed items the manifest still has, and how many images each asks for now.
  const found = new Map<string, number>();
  for await (const event of readManifest(options.manifestPath, options.defaults)) {
    if (event.type !== 'item') continue;
    for (const model of event.item.models ?? [undefined]) {
      for (const locale of event.item.locales) {
        if (failedItems.has(key(event.item.id, locale, model))) found.set(key(event.item.id, locale, model), event.item.variants);
      }
    }
  }

  // Take the items' rows (the failure, and any variants it had stored) back out of the run.
  const taken: ReportRow[] = [];
  const counts: OutcomeCounts = {};
  const add = (more: OutcomeCounts): void => {
    for (const [field, value] of Object.entries(more)) counts[field] = (counts[field] ?? 0) + value;
  };
  for (const [item, variants] of found) {
    const rows = rowsByItem.get(item) ?? [];
    taken.push(...rows);
    const failedRow = rows.find((row) => row.status === 'failed')!;
    add(
      outcomeCounts({
        locale: failedRow.locale,
        variants: Math.max(rows.filter((row) => row.variant !== '').length, variants),
        created: rows.filter((r) => r.status === 'created').length,
        existing: rows.filter((r) => r.status === 'exists').length,
        failed: true,
        errorCode: failedRow.errorCode,
      }),
    );
    add({ settled: 1, total: 1 });
  }
  await deps.runStore.reopen(options.runId, taken, counts);
  const jobKey = (data: ImageJobData): string => key(data.messageId, data.locale, data.modelInBlobName ? data.model : undefined);
  // A translated run re-renders the very texts it rendered first (a rejected image comes back with the same words).
  const translations = await deps.runStore.translations(options.runId);
  const { destination } = (await deps.runStore.get(options.runId)) ?? {};
  const retried = await enqueueItems(
    deps,
    { ...options, ...(translations.size > 0 ? { translations } : {}), destination, manifestPath: resolve(options.manifestPath), manifest: options.manifestPath, fresh: true },
    (job) => found.has(jobKey(job.data)),
  );
  const finished = await deps.runStore.markEnqueued(options.runId, now());
  const stillThere = [...failed].filter(([withModel, withoutModel]) => found.has(withModel) || found.has(withoutModel)).length;
  return { retried, notInManifest: failed.size - stillThere, finished };
}
