import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { checkBudget } from '../../cost/budget.js';
import { planFromTally, planTally } from '../../cost/estimate.js';
import { formatPlan } from '../../cost/format-plan.js';
import { planOptions } from '../../cost/plan-options.js';
import { validateManifest } from '../../manifest/validate-manifest.js';
import { loadDeployments } from '../../deployments/deployment-spec.js';
import { checkManifestModelsServed } from '../../deployments/run-models.js';
import { manifestDefaults } from '../manifest-defaults.js';
import { printSummary } from '../print-issues.js';
import { MANIFEST_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { EXIT, setExitCode } from '../exit.js';

// The model and the quota decide the plan's price and duration, so validate takes them as run does.
const SETTINGS = [...MANIFEST_SETTINGS, 'deployment', 'provider', 'gptEndpoint', 'gptModel', 'model', 'deploymentsFile', 'imagesPerMinute'] as const;

export function validateCommand(): Command {
  const command = new Command('validate')
    .description('check a manifest: every problem with its line and column, then the images, estimated cost and duration it plans; enqueues nothing (exit 2 when it has errors or exceeds --max-cost)')
    .argument('<manifest>', 'CSV manifest');
  addSettings(command, SETTINGS);
  return command.action(async (manifest: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const defaults = manifestDefaults(config);
    // With no endpoint, `run` starts the stand-in for every model the run names: no pool to check them against.
    const standIn = !config.endpoint && !config.gptEndpoint && !config.deploymentsFile;
    // Before reading the manifest: a bad price or deployments file is reported without a long wait.
    const planning = planOptions(standIn ? { ...config, models: undefined } : config);
    const tally = planTally(defaults, planning);
    const summary = await validateManifest(manifest, defaults, { onItem: (item) => tally.add(item) });
    printSummary(summary);
    // A plan of only the valid rows of a broken manifest would understate what the fixed one costs.
    if (summary.errors > 0) {
      setExitCode(EXIT.badInput);
      return;
    }
    // Models named in model cells must have a deployment, as enqueue will insist.
    if (!standIn) checkManifestModelsServed(summary.file, summary, loadDeployments(config));
    const plan = planFromTally(tally, planning);
    process.stdout.write(formatPlan(plan));
    checkBudget(plan, config.maxCost);
    setExitCode(EXIT.ok);
  });
}
