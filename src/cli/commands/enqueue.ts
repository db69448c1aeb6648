import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import type { Config } from '../../config/settings.js';
import { loadDeployments, poolModel } from '../../deployments/deployment-spec.js';
import { enqueueManifest } from '../../queue/enqueue-manifest.js';
import { newRunId } from '../../runs/run-id.js';
import { openRuntime } from '../../../workers/runtime.js';
import { createLogger } from '../../logging/create-logger.js';
import { manifestDefaults } from '../manifest-defaults.js';
import { printSummary } from '../print-issues.js';
import { CONNECTION_SETTINGS, JOB_SETTINGS, MANIFEST_SETTINGS, addSettings, settingFlags } from '../settings-options.js';

const SETTINGS = [...CONNECTION_SETTINGS, ...MANIFEST_SETTINGS, ...JOB_SETTINGS, 'deployment', 'gptEndpoint', 'gptModel', 'deploymentsFile', 'logLevel'] as const;

export function enqueueCommand(): Command {
  const command = new Command('enqueue')
    .description('validate a manifest and enqueue its jobs for `polyglyph worker` processes; prints the run id')
    .argument('<manifest>', 'CSV manifest');
  addSettings(command, SETTINGS);
  return command.action(async (manifest: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const defaults = manifestDefaults(config);
    const runtime = await openRuntime(config, createLogger(config.logLevel ?? 'warn'));
    try {
      const result = await enqueueManifest(runtime, {
        runId: newRunId(),
        manifestPath: manifest,
        defaults,
        model: modelName(config),
        outputCompression: config.outputCompression,
        attempts: config.attempts,
        backoffMs: config.backoffMs,
      });
      printSummary(result.summary, process.stderr);
      process.stderr.write(`enqueued ${result.jobs} jobs (${result.summary.images} images) as run ${result.runId}\n`);
      process.stdout.write(`${result.runId}\n`);
    } finally {
      await runtime.close();
    }
  });
}

/** The model a job is enqueued for: what the workers' client will send (AZURE_GPT_MODEL or the deployment). */
/** The model jobs are enqueued for: the one the configured deployment (or deployments file) serves. */
export function modelName(config: Config): string {
  return poolModel(loadDeployments(config));
}

