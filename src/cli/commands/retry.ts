import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { createLogger } from '../../logging/create-logger.js';
import { publishFinishedRun } from '../../runs/publish-report.js';
import { retryFailed } from '../../runs/retry-run.js';
import { BlobStore } from '../../storage/blob-store.js';
import { openRuntime } from '../../runtime/runtime.js';
import { describeOutcome } from '../describe-outcome.js';
import { EXIT, setExitCode } from '../exit.js';
import { manifestDefaults } from '../manifest-defaults.js';
import { Progress } from '../progress.js';
import { producerMasterStore } from '../producer-master-store.js';
import { CONNECTION_SETTINGS, JOB_SETTINGS, MANIFEST_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { waitForReportBlob, waitForRun } from '../wait-for-run.js';
import { modelName } from '../start-run.js';
import { getRun } from './status.js';

const SETTINGS = [...CONNECTION_SETTINGS, ...STORAGE_SETTINGS, ...MANIFEST_SETTINGS, ...JOB_SETTINGS, 'deployment', 'provider', 'gptEndpoint', 'gptModel', 'model', 'deploymentsFile', 'logLevel'] as const;

export function retryCommand(): Command {
  const command = new Command('retry')
    .description('re-enqueue only the failed items of a run, under the same run (after fixing the configuration or the manifest)')
    .argument('<run>', 'run id')
    .option('--manifest <path>', 'read the items from this (fixed) manifest instead of the one the run was made from')
    .option('--wait', 'wait until the retried items are finished (needs `polyglyph worker` running)');
  addSettings(command, SETTINGS);
  return command.action(async (runId: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const runtime = await openRuntime(config, createLogger(config.logLevel ?? 'warn'));
    try {
      const run = await getRun(runtime.runStore, runId);
      const manifestPath = typeof options.manifest === 'string' ? options.manifest : run.manifestPath;
      const result = await retryFailed(runtime, {
        runId, manifestPath, defaults: manifestDefaults(config), model: modelName(config), masterStore: producerMasterStore(runtime, config),
        attempts: config.attempts, backoffMs: config.backoffMs,
      });
      if (result.retried === 0 && result.notInManifest === 0) {
        process.stdout.write(`run ${runId} has no failed items\n`);
        return;
      }
      process.stdout.write(`run ${runId}: ${result.retried} failed items re-enqueued from ${manifestPath}${result.notInManifest ? `; ${result.notInManifest} are no longer in the manifest and stay failed` : ''}\n`);
      if (result.finished) await publishFinishedRun({ ...runtime, blobStore: BlobStore.ifConfigured(config) }, runId);
      if (options.wait === true) {
        const finished = await waitForReportBlob(runtime.runStore, await waitForRun(runtime.runStore, runId, new Progress(process.stderr)));
        process.stdout.write(`${describeOutcome(finished)}\n`);
        setExitCode(finished.itemsFailed > 0 ? EXIT.itemsFailed : EXIT.ok);
      }
    } finally {
      await runtime.close();
    }
  });
}
