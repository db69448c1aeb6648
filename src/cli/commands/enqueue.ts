import { Command } from 'commander';
import { plural } from '../../text/plural.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { openRuntime } from '../../runtime/runtime.js';
import { cliLogger } from '../cli-logger.js';
import { describeOrigin } from '../../runs/origin.js';
import { publishFinishedRun } from '../../runs/publish-report.js';
import { BlobStore } from '../../storage/blob-store.js';
import { EXIT, setExitCode } from '../exit.js';
import { Progress } from '../progress.js';
import { describeOutcome } from '../describe-outcome.js';
import { enqueueRun, producerFor } from '../start-run.js';
import { waitForReportBlob, waitForRun } from '../wait-for-run.js';
import { printSummary } from '../print-issues.js';
import { printFailures } from '../print-failures.js';
import { noWorkerWarning } from '../worker-presence.js';
import { startLocalServices } from '../local-services.js';
import { CONNECTION_SETTINGS, JOB_SETTINGS, MANIFEST_SETTINGS, PLAN_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const SETTINGS = [...CONNECTION_SETTINGS, ...STORAGE_SETTINGS, ...MANIFEST_SETTINGS, ...JOB_SETTINGS, 'localDir', ...PLAN_SETTINGS, 'regenerateOnMismatch', 'logLevel', 'logFormat'] as const;

export function enqueueCommand(): Command {
  const command = new Command('enqueue')
    .description(COMMAND_SUMMARIES.enqueue.description)
    .argument('<manifest>', 'CSV manifest')
    .option('--wait', 'wait until every item of the run is finished, then print the summary (exit 1 when items failed)');
  addSettings(command, SETTINGS);
  return command.action(async (manifest: string, options: Record<string, unknown>) => {
    const flags = settingFlags(options, SETTINGS);
    const base = resolveConfig(flags);
    // Nothing configured: the storage of a `run` or `worker` on this data folder, for the report.
    const config = (await startLocalServices(base, flags, { start: false, api: false })).config;
    const producer = producerFor(config);
    const runtime = await openRuntime(config, cliLogger(config, 'warn'));
    try {
      const progress = new Progress(process.stderr);
      const result = await enqueueRun(runtime, config, producer, manifest, describeOrigin('enqueue'), process.stderr, {
        onProgress: (jobs) => progress.update(`enqueued ${plural(jobs, 'job')}`),
      });
      if (result.summary.warnings > 0) printSummary(result.summary, process.stderr);
      progress.done(`enqueued ${plural(result.jobs, 'job')} (${plural(result.summary.images, 'image')}) as run ${result.runId}`);
      process.stdout.write(`${result.runId}\n`);
      // Every image already existed, so no worker will finish this run: its report is ours to write.
      if (result.finished) await publishFinishedRun({ ...runtime, blobStore: BlobStore.ifConfigured(config) }, result.runId);
      if (options.wait === true) {
        const run = await waitForReportBlob(runtime.runStore, await waitForRun(runtime.runStore, result.runId, progress, undefined, { unserved: () => noWorkerWarning(runtime) }));
        process.stderr.write(`${describeOutcome(run)}${run.reportBlob ? `; report in storage: ${run.reportBlob}` : ''}\n`);
        await printFailures(runtime.runStore, run, process.stderr);
        setExitCode(run.itemsFailed > 0 ? EXIT.itemsFailed : EXIT.ok);
      }
    } finally {
      await runtime.close();
    }
  });
}
