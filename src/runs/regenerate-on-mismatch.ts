import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { checkOneMoreImage } from '../cost/one-more-image-budget.js';
import type { PriceTable } from '../cost/price-table.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { InputError } from '../errors/polyglyph-error.js';
import type { ImageJobData } from '../queue/image-job.js';
import type { ReportRow } from './report-row.js';
import type { RegenerationState } from './run-regenerations.js';
import { rerenderItem } from './rerender-item.js';
import type { RunStore } from './run-store.js';

/** What a check worker needs to regenerate (`--regenerate-on-mismatch`). */
export interface RegenerateSettings {
  imageQueue: Queue<ImageJobData>;
  priceTable: PriceTable;
  defaults: ManifestDefaults;
  attempts: number;
  backoffMs: number;
  /** The worker's own `--regenerate-on-mismatch`; a run that recorded one (its producer's) uses that. */
  limit: number;
  /** The worker's own `--max-cost` (USD); a run that recorded one uses that. */
  maxCostUsd?: number | undefined;
}

/** A claimed regeneration, to be carried out once the item settled (the claim keeps the run open meanwhile). */
export interface PendingRegeneration {
  runId: string;
  state: RegenerationState;
}

/**
 * Step 1, before the item settles: claims one more variant of the item of the first flagged image
 * (`needs_review`), if the item has had fewer than n. The claim holds the run open, so settling the
 * item cannot finish it. A check job that runs twice gets its first claim back (carried on when it
 * was not released), never a second one.
 */
export async function claimRegeneration(
  runStore: RunStore,
  settings: RegenerateSettings,
  runId: string,
  rows: readonly ReportRow[],
  flagged: ReportRow | undefined,
): Promise<PendingRegeneration | undefined> {
  if (!flagged || flagged.variant === '') return undefined;
  const run = await runStore.get(runId);
  if (!run || run.cancelledAt !== undefined) return undefined;
  const limit = run.regenerateOnMismatch ?? settings.limit;
  if (limit <= 0) return undefined;
  const variants = rows.filter((row) => row.variant !== '').map((row) => Number(row.variant));
  const state: RegenerationState = { blobName: flagged.blobName, id: flagged.id, locale: flagged.locale, model: flagged.model, variant: flagged.variant, newVariant: Math.max(...variants) + 1 };
  const claim = await runStore.claimRegeneration(runId, state, limit);
  if (claim.outcome === 'new') return { runId, state };
  if (claim.outcome === 'held') return { runId, state: claim.state };
  return undefined;
}

/**
 * Step 2, after the item settled: renders the new variant through the re-render path (reopen the
 * item's rows, enqueue it asking one variant more), budget-checked against `--max-cost`, then releases
 * the claim with what happened. A refusal (budget, manifest row gone, variants at the maximum) is
 * recorded in the claim and logged, not thrown: the run goes on and finishes. Returns true when the
 * release finished the run (its report is the caller's to write).
 */
export async function carryOutRegeneration(runStore: RunStore, settings: RegenerateSettings, pending: PendingRegeneration, options: { lastAttempt: boolean; logger: Logger }): Promise<boolean> {
  const { runId } = pending;
  let state: RegenerationState = pending.state;
  try {
    const run = await runStore.get(runId);
    if (!run) throw new Error(`run ${runId} is gone`);
    const { variant } = await rerenderItem(
      { queue: settings.imageQueue, runStore },
      {
        runId,
        manifestPath: run.manifestPath,
        defaults: settings.defaults,
        model: state.model,
        messageId: state.id,
        locale: state.locale,
        attempts: settings.attempts,
        backoffMs: settings.backoffMs,
        checkBudget: (image) => checkOneMoreImage(run, settings.priceTable, run.maxCostUsd ?? settings.maxCostUsd, image),
      },
    );
    state = { ...state, newVariant: variant };
    options.logger.info({ runId, blobName: state.blobName, variant }, 'text check failed: rendering a new variant');
  } catch (error) {
    // A refusal is final; anything else (Redis, storage) is worth the job's next attempt, unless this is its last.
    if (!(error instanceof InputError) && !options.lastAttempt) throw error;
    const { newVariant: _dropped, ...rest } = state;
    state = { ...rest, refused: error instanceof Error ? error.message : String(error) };
    options.logger.warn({ runId, blobName: state.blobName, reason: state.refused }, 'text check failed: no new variant rendered');
  }
  return runStore.releaseRegeneration(runId, state);
}
