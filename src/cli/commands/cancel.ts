import { Command } from 'commander';
import { formatTimestamp } from '../../runs/format-time.js';
import { plural } from '../../text/plural.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { cliLogger } from '../cli-logger.js';
import { cancelRun } from '../../runs/cancel-run.js';
import { publishFinishedRun } from '../../runs/publish-report.js';
import { isRunComplete, type RunRecord } from '../../runs/run-store.js';
import { BlobStore } from '../../storage/blob-store.js';
import { openRuntime } from '../../runtime/runtime.js';
import { CONNECTION_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { getRun } from './status.js';
import { terminalValue } from '../../text/terminal-text.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const SETTINGS = [...CONNECTION_SETTINGS, ...STORAGE_SETTINGS, 'logLevel', 'logFormat'] as const;

export function cancelCommand(): Command {
  const command = new Command('cancel').description(COMMAND_SUMMARIES.cancel.description).argument('<run>', 'run id');
  addSettings(command, SETTINGS);
  return command.action(async (runId: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const runtime = await openRuntime(config, cliLogger(config, 'warn'));
    try {
      const before = await getRun(runtime.runStore, runId);
      const result = await cancelRun(runtime, runId, Date.now());
      const run = await getRun(runtime.runStore, runId);
      process.stdout.write(`${describeCancel(before, result.cancelled, run)}\n`);
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

/**
 * What `cancel` did, counted from the run record so that a second `cancel` says what the first one
 * did (its jobs are gone by then: counted from the queue, they would look "already done").
 */
export function describeCancel(before: RunRecord, cancelledNow: number, after: RunRecord): string {
  const id = terminalValue(after.id);
  const notCancelled = `${plural(Math.max(0, after.total - after.itemsCancelled), 'item')} already running or done`;
  if (before.cancelledAt === undefined) return `run ${id}: ${plural(cancelledNow, 'item')} cancelled; ${notCancelled}`;
  const now = cancelledNow > 0 ? ` (${cancelledNow} of them now)` : '';
  return `run ${id} was already cancelled at ${formatTimestamp(before.cancelledAt)}: ${plural(after.itemsCancelled, 'item')} cancelled${now}; ${notCancelled}`;
}
