import type { Queue } from 'bullmq';
import { checkOneMoreImage } from '../cost/one-more-image-budget.js';
import type { PriceTable } from '../cost/price-table.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import type { ImageJobData } from '../queue/image-job.js';
import { rerenderItem } from '../runs/rerender-item.js';
import type { ReportRow } from '../runs/report-row.js';
import type { RunRecord, RunStore } from '../runs/run-store.js';

/** What the dashboard needs to render a rejected image again: the manifest defaults and job options `run` used. */
export interface RerenderSettings {
  defaults: ManifestDefaults;
  attempts: number;
  backoffMs: number;
  /** POLYGLYPH_MAX_COST in USD: a new variant that would take the run over it is refused. */
  maxCostUsd?: number | undefined;
}

/**
 * The gallery's "reject and re-render": one more variant of the item through rerenderItem (the retry
 * path), after a budget check: the run's cost so far (from usage, else its estimate) plus one image
 * of the item's model, size and quality must stay within POLYGLYPH_MAX_COST when one is set.
 */
export function reviewRerender(deps: { queue: Queue; runStore: RunStore; priceTable: PriceTable }, settings: RerenderSettings): (run: RunRecord, row: ReportRow) => Promise<{ variant: number }> {
  return (run, row) =>
    rerenderItem(
      { queue: deps.queue as Queue<ImageJobData>, runStore: deps.runStore },
      {
        runId: run.id,
        manifestPath: run.manifestPath,
        defaults: settings.defaults,
        model: row.model,
        messageId: row.id,
        locale: row.locale,
        attempts: settings.attempts,
        backoffMs: settings.backoffMs,
        checkBudget: (image) => checkOneMoreImage(run, deps.priceTable, settings.maxCostUsd, image),
      },
    );
}
