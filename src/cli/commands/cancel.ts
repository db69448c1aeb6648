import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { cliLogger } from '../cli-logger.js';
import { cancelRun } from '../../runs/cancel-run.js';
import { publishFinishedRun } from '../../runs/publish-report.js';
import { isRunComplete } from '../../runs/run-store.js';
import { BlobStore } from '../../storage/blob-store.js';
import { openRuntime } from '../../runtime/runtime.js';
import { CONNECTION_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { getRun } from './status.js';
import { terminalValue } from '../../text/terminal-text.js';

const SETTINGS = [...CONNECTION_SETTINGS, ...STORAGE_SETTINGS, 'logLevel', 'logFormat'] as const;

export function cancelCommand(): Command {
  const command = new Command('cancel')
    .description('cancel what has not started in a run (items in flight finish); the run then ends with them as cancelled')
    .argument('<run>', 'run id');
  addSettings(command, SETTINGS);
  return command.action(async (runId: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const runtime = await openRuntime(config, cliLogger(config, 'warn'));
    try {
      await getRun(runtime.runStore, runId);
      const result = await cancelRun(runtime, runId, Date.now());
      process.stdout.write(`run ${terminalValue(runId)}: ${result.cancelled} items cancelled; ${result.leftRunning} already running or done\n`);
      const run = await getRun(runtime.runStore, runId);
      // If cancelling settled the last item, no worker will: the report is ours to write.
      if (isRunComplete(run) && !run.reportBlob) {
        const report = await publishFinishedRun({ ...runtime, blobStore: BlobStore.ifConfigured(config) }, runId);
        if (report) process.stdout.write(`report: ${report}\n`);
      }
    } finally {
      await runtime.close();
    }
  });
}
