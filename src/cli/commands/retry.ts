import { Command } from 'commander';
import { plural } from '../../text/plural.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { cliLogger } from '../cli-logger.js';
import { publishFinishedRun } from '../../runs/publish-report.js';
import { retryFailed } from '../../runs/retry-run.js';
import { BlobStore } from '../../storage/blob-store.js';
import { closeAll, openRuntime, openWorkerRuntime } from '../../runtime/runtime.js';
import { writeReport } from '../../runs/write-report.js';
import { startLocalServices } from '../local-services.js';
import type { WorkerHost } from '../worker-host.js';
import { describeOutcome } from '../describe-outcome.js';
import { EXIT, setExitCode } from '../exit.js';
import { manifestDefaults } from '../manifest-defaults.js';
import { Progress } from '../progress.js';
import { producerMasterStore } from '../producer-master-store.js';
import { API_SETTINGS, WORKER_SETTINGS, CONNECTION_SETTINGS, JOB_SETTINGS, MANIFEST_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { waitForReportBlob, waitForRun } from '../wait-for-run.js';
import { modelName } from '../start-run.js';
import { getRun } from './status.js';
import { terminalValue } from '../../text/terminal-text.js';
import { printFailures } from '../print-failures.js';
import { ITEM_FAILED_EVENT } from '../../logging/log-events.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const SETTINGS = [...CONNECTION_SETTINGS, ...API_SETTINGS, ...STORAGE_SETTINGS, ...WORKER_SETTINGS, ...MANIFEST_SETTINGS, ...JOB_SETTINGS, 'reportDir', 'localDir'] as const;

export function retryCommand(host: WorkerHost): Command {
  const command = new Command('retry')
    .description(COMMAND_SUMMARIES.retry.description)
    .argument('<run>', 'run id')
    .option('--manifest <path>', 'read the items from this (fixed) manifest instead of the one the run was made from')
    .option('--wait', 'wait until the retried items are finished; with no `polyglyph worker` on the queue, process them in this process');
  addSettings(command, SETTINGS);
  return command.action(async (runId: string, options: Record<string, unknown>) => {
    const flags = settingFlags(options, SETTINGS);
    const base = resolveConfig(flags);
    // With --wait, failed items are listed at the end, each with its manifest line: not logged as well.
    const logger = cliLogger(base, 'warn', options.wait === true ? { omitEvents: [ITEM_FAILED_EVENT] } : {});
    const runtime = await openRuntime(base, logger);
    // Nothing configured: the stand-in and Azurite a `run` or `worker` on this data folder runs.
    const joined = await startLocalServices(base, flags, { start: false });
    const config = joined.config;
    const cleanup: Array<() => Promise<void>> = [() => runtime.close()];
    try {
      const run = await getRun(runtime.runStore, runId);
      const manifestPath = typeof options.manifest === 'string' ? options.manifest : run.manifestPath;
      const retryStarted = Date.now();
      const result = await retryFailed(runtime, {
        runId,
        manifestPath,
        defaults: manifestDefaults(config),
        model: modelName(config),
        masterStore: producerMasterStore(runtime, config),
        attempts: config.attempts,
        backoffMs: config.backoffMs,
      });
      if (result.retried === 0 && result.notInManifest === 0) {
        process.stdout.write(`run ${terminalValue(runId)} has no failed items\n`);
        return;
      }
      process.stdout.write(
        `run ${terminalValue(runId)}: ${plural(result.retried, 'failed item')} re-enqueued from ${terminalValue(manifestPath)}${result.notInManifest ? `; ${result.notInManifest} ${result.notInManifest === 1 ? 'is' : 'are'} no longer in the manifest and stay${result.notInManifest === 1 ? 's' : ''} failed` : ''}\n`,
      );
      if (result.finished) await publishFinishedRun({ ...runtime, blobStore: BlobStore.ifConfigured(config) }, runId);
      if (options.wait === true) {
        if (!result.finished && (await runtime.queue.getWorkersCount()) === 0) {
          // Nothing would ever take the re-queued jobs: process them here, as `run` does.
          const local = await startLocalServices(base, flags);
          cleanup.unshift(() => local.stop());
          for (const note of local.notes) process.stderr.write(`${note}\n`);
          process.stderr.write(`no worker serves queue '${config.queueName}': processing the retried items in this process\n`);
          const workerRuntime = await openWorkerRuntime(local.config, logger);
          cleanup.unshift(() => workerRuntime.close());
          const workers = await host.startImageWorkers(workerRuntime, local.config, logger);
          cleanup.unshift(() => workers.close());
        }
        const finished = await waitForReportBlob(runtime.runStore, await waitForRun(runtime.runStore, runId, new Progress(process.stderr)));
        process.stdout.write(`${describeOutcome(finished, retryStarted)}\n`);
        await printFailures(runtime.runStore, finished, process.stdout);
        // The report of a local run is rewritten with the retried items' new outcome.
        const report = await writeReport(runtime.runStore, finished, config.reportDir);
        process.stdout.write(`report: ${report.jsonPath} and ${report.csvPath} (${plural(report.rows, 'row')})${finished.reportBlob ? `; in storage: ${finished.reportBlob}` : ''}\n`);
        setExitCode(finished.itemsFailed > 0 ? EXIT.itemsFailed : EXIT.ok);
      }
    } finally {
      await closeAll(cleanup, logger);
    }
  });
}
