import type { Queue } from 'bullmq';
import { formatUsd, usdToMicros } from '../cost/money.js';
import { imagePriceMicros, type PriceTable } from '../cost/price-table.js';
import { runCost } from '../cost/run-cost.js';
import { InputError } from '../errors/polyglyph-error.js';
import type { ImageQuality } from '../images/image-options.js';
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
        checkBudget: (image) => {
          if (settings.maxCostUsd === undefined) return;
          const max = usdToMicros(settings.maxCostUsd);
          const price = imagePriceMicros(deps.priceTable, image.model, image.size, image.quality as ImageQuality);
          if (price === undefined) throw new InputError(`cannot check POLYGLYPH_MAX_COST: no price for model ${image.model}`, { hint: 'add it to the price file (--price-file)' });
          const cost = runCost(run, deps.priceTable);
          const spent = cost.actualMicros || cost.estimatedMicros || 0;
          if (spent + price > max) throw new InputError(`one more image (${formatUsd(price)}) would take run ${run.id} to ${formatUsd(spent + price)}, over POLYGLYPH_MAX_COST ${formatUsd(max)}`);
        },
      },
    );
}
