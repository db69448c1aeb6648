import type { Config } from '../config/settings.js';
import { estimatedTranslationUsage, formatChatCost } from '../cost/chat-prices.js';
import { checkBudget } from '../cost/budget.js';
import { planFromTally, planTally } from '../cost/estimate.js';
import { formatPlan } from '../cost/format-plan.js';
import { formatUsd } from '../cost/money.js';
import { planOptions } from '../cost/plan-options.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import type { EnqueueManifestOptions } from '../queue/enqueue-manifest.js';
import type { RunPace } from './run-pace.js';

/**
 * The `beforeEnqueue` step of `run` and `enqueue`: prints what the run will make, cost and take, and
 * refuses it (exit 2, nothing enqueued) when the estimate is over `--max-cost`.
 */
export function planStep(
  defaults: ManifestDefaults,
  config: Config,
  out: NodeJS.WritableStream,
  pace?: number | RunPace,
  translation?: { cells: number; costMicros: number | undefined },
): Pick<EnqueueManifestOptions, 'onValidItem' | 'beforeEnqueue'> {
  // Read before the manifest: a bad price or deployments file is reported without a long wait.
  const base = planOptions(config);
  // `run` passes its pool's capacity; `enqueue` the workers' registered quotas (run-pace.ts), said in a line.
  const options =
    pace === undefined
      ? base
      : typeof pace === 'number'
        ? { ...base, imagesPerMinute: pace }
        : { ...base, imagesPerMinute: pace.imagesPerMinute, imagesPerMinuteByModel: { ...base.imagesPerMinuteByModel, ...pace.byModel } };
  // The validation pass feeds the tally, so planning costs no pass of its own over the manifest.
  const tally = planTally(defaults, options);
  // Cells without text: the image model translates them inside the prompt unless --translate did first.
  const untranslated = { cells: 0, usage: { promptTokens: 0, completionTokens: 0 } };
  const translationModel = config.translationModel ?? config.translationDeployment;
  return {
    onValidItem: (item) => {
      tally.add(item);
      if (translation) return;
      for (const locale of item.locales) {
        if (item.texts[locale] !== undefined) continue;
        untranslated.cells += 1;
        const usage = estimatedTranslationUsage(item.message);
        untranslated.usage.promptTokens += usage.promptTokens;
        untranslated.usage.completionTokens += usage.completionTokens;
      }
    },
    beforeEnqueue: () => {
      const plan = planFromTally(tally, options);
      out.write(formatPlan(plan));
      if (typeof pace === 'object') out.write(`${pace.note}\n`);
      if (translation) {
        out.write(
          `translation cost: ${translation.costMicros === undefined ? `unknown (no built-in price for ${translationModel})` : formatUsd(translation.costMicros)} for ${translation.cells} text cell${translation.cells === 1 ? '' : 's'} on ${translationModel}, on top of the images\n`,
        );
      } else if (untranslated.cells > 0) {
        out.write(
          `text: ${untranslated.cells} cell${untranslated.cells === 1 ? '' : 's'} without text:<locale>: the image model translates them inside the prompt, unseen; --translate translates them first for about ${formatChatCost(translationModel, untranslated.usage)} on ${translationModel}\n`,
        );
      }
      out.write('\n');
      checkBudget(plan, config.maxCost);
      // A cost that leaves out models without a price is not the run's estimate.
      return Promise.resolve({ estimatedCostMicros: plan.unpricedModels ? undefined : plan.costMicros });
    },
  };
}
