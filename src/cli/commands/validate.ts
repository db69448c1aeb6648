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
import { MANIFEST_SETTINGS, PLAN_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { EXIT, setExitCode } from '../exit.js';
import { formatValidationJson, validationJson } from '../validation-json.js';
import { PolyglyphError } from '../../errors/polyglyph-error.js';
import type { ManifestSummary } from '../../manifest/validate-manifest.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

// The model and the quota decide the plan's price and duration, so validate takes them as run does.
const SETTINGS = [...MANIFEST_SETTINGS, ...PLAN_SETTINGS] as const;

export function validateCommand(): Command {
  const command = new Command('validate')
    .description(COMMAND_SUMMARIES.validate.description)
    .argument('<manifest>', 'CSV manifest')
    .option('--json', 'print one JSON document on stdout instead: {file, valid, summary, issues: [{file, line, column, severity, code, message, fix}], plan, error}; same exit codes');
  addSettings(command, SETTINGS);
  return command.action(async (manifest: string, options: Record<string, unknown>) => {
    const json = options.json === true;
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const defaults = manifestDefaults(config);
    // With no endpoint, `run` starts the stand-in for every model the run names: no pool to check them against.
    const standIn = !config.endpoint && !config.gptEndpoint && !config.deploymentsFile;
    // Before reading the manifest: a bad price or deployments file is reported without a long wait.
    const planning = planOptions(standIn ? { ...config, models: undefined } : config);
    const tally = planTally(defaults, planning);
    const summary = json
      ? await readOrReport(manifest, () => validateManifest(manifest, defaults, { onItem: (item) => tally.add(item) }))
      : await validateManifest(manifest, defaults, { onItem: (item) => tally.add(item) });
    if (summary === undefined) return;
    if (!json) printSummary(summary);
    // A plan of only the valid rows of a broken manifest would understate what the fixed one costs.
    if (summary.errors > 0) {
      if (json) process.stdout.write(formatValidationJson(validationJson(summary)));
      setExitCode(EXIT.badInput);
      return;
    }
    if (!json) {
      // Models named in model cells must have a deployment, as enqueue will insist.
      if (!standIn) checkManifestModelsServed(summary.file, summary, loadDeployments(config));
      const plan = planFromTally(tally, planning);
      process.stdout.write(formatPlan(plan));
      checkBudget(plan, config.maxCost);
      setExitCode(EXIT.ok);
      return;
    }
    printJsonVerdict(summary, () => {
      if (!standIn) checkManifestModelsServed(summary.file, summary, loadDeployments(config));
      const plan = planFromTally(tally, planning);
      checkBudget(plan, config.maxCost);
      return plan;
    });
  });
}

/**
 * `--json` for a manifest without errors: the plan, or the refusal that text mode prints as an error
 * (models not served, over --max-cost) as the document's `error`, with the same exit code.
 */
function printJsonVerdict(summary: ManifestSummary, plan: () => ReturnType<typeof planFromTally>): void {
  try {
    process.stdout.write(formatValidationJson(validationJson(summary, plan())));
    setExitCode(EXIT.ok);
  } catch (error) {
    if (!(error instanceof PolyglyphError)) throw error;
    process.stdout.write(formatValidationJson(validationJson(summary, undefined, error)));
    setExitCode(error.exitCode);
  }
}

/** `--json` for a manifest that cannot be read at all (missing, not CSV): the document with `error` only. */
async function readOrReport(file: string, read: () => Promise<ManifestSummary>): Promise<ManifestSummary | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof PolyglyphError)) throw error;
    const empty: ManifestSummary = { file, rows: 0, items: 0, images: 0, imagesByLocale: {}, errors: 0, warnings: 0, issues: [], truncatedIssues: 0, modelLines: {}, rowsWithoutModel: 0 };
    process.stdout.write(formatValidationJson(validationJson(empty, undefined, error)));
    setExitCode(error.exitCode);
    return undefined;
  }
}
