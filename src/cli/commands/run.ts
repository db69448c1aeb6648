import { Command } from 'commander';
import { plural } from '../../text/plural.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { cliLogger } from '../cli-logger.js';
import { enqueueManifest } from '../../queue/enqueue-manifest.js';
import { newRunId } from '../../runs/run-id.js';
import { describeOrigin } from '../../runs/origin.js';
import { publishFinishedRun } from '../../runs/publish-report.js';
import { writeReport } from '../../runs/write-report.js';
import { closeAll, openWorkerRuntime } from '../../runtime/runtime.js';
import type { WorkerHost } from '../worker-host.js';
import { EXIT, setExitCode } from '../exit.js';
import { startLocalServices } from '../local-services.js';
import { assertRedisReachable } from '../../local-services/redis-probe.js';
import { manifestDefaults } from '../manifest-defaults.js';
import { printSummary } from '../print-issues.js';
import { describeOutcome } from '../describe-outcome.js';
import { planStep } from '../plan-run.js';
import { Progress } from '../progress.js';
import { waitForReportBlob, waitForRun } from '../wait-for-run.js';
import { findBlockedRun, type BlockedRun } from '../blocked-run.js';
import { formatTargets } from '../../preflight/format-check.js';
import {
  API_SETTINGS,
  CONNECTION_SETTINGS,
  JOB_SETTINGS,
  MANIFEST_SETTINGS,
  STORAGE_SETTINGS,
  TEXT_CHECK_SETTINGS,
  TRANSLATION_SETTINGS,
  WORKER_SETTINGS,
  addSettings,
  settingFlags,
} from '../settings-options.js';
import { InputError } from '../../errors/polyglyph-error.js';
import { saveRunTranslations } from '../../runs/run-translations.js';
import { translationStage } from '../translation-stage.js';
import { modelName } from '../start-run.js';
import { listenForStop } from '../stop-signal.js';
import { printFailures } from '../print-failures.js';
import { ITEM_FAILED_EVENT } from '../../logging/log-events.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const SETTINGS = [
  ...CONNECTION_SETTINGS,
  ...API_SETTINGS,
  ...STORAGE_SETTINGS,
  ...WORKER_SETTINGS,
  ...TEXT_CHECK_SETTINGS,
  ...MANIFEST_SETTINGS,
  ...JOB_SETTINGS,
  ...TRANSLATION_SETTINGS,
  'reportDir',
  'localDir',
] as const;

export function runCommand(host: WorkerHost): Command {
  const command = new Command('run')
    .description(COMMAND_SUMMARIES.run.description)
    .argument('<manifest>', 'CSV manifest')
    .option(
      '--translate',
      'first fill the empty text:<locale> cells with the translation deployment (POLYGLYPH_TRANSLATION_DEPLOYMENT), so every image renders exact, reviewed-length text; see `polyglyph translate`',
    )
    .addHelpText(
      'after',
      '\nWith no AZURE_OPENAI_ENDPOINT the built-in stand-in image API is used; with no storage configured, Azurite is started (data in .polyglyph/azurite).\nExit codes: 0 every item succeeded, 1 some items failed, 2 bad input or configuration (nothing enqueued).',
    );
  addSettings(command, SETTINGS);
  return command.action(async (manifest: string, options: Record<string, unknown>) => {
    const flags = settingFlags(options, SETTINGS);
    const base = resolveConfig(flags);
    const defaults = manifestDefaults(base);
    const out = process.stdout;
    // Failed items are listed when the run ends, each with its manifest line: not logged as well.
    const logger = cliLogger(base, 'warn', { omitEvents: [ITEM_FAILED_EVENT] });
    // Listening from the start: the first signal ends a start-up that waits (storage that never
    // answers), and later leaves the run queued for `polyglyph worker`.
    const stop = listenForStop();
    // Redis first: starting the stand-in and Azurite takes seconds, and without Redis they are of no use.
    await assertRedisReachable(base.redisUrl).catch((error: unknown) => {
      stop.dispose();
      throw error;
    });
    const local = await startLocalServices(base, flags, { manifest, defaults }).catch((error: unknown) => {
      stop.dispose();
      throw error;
    });
    for (const note of local.notes) out.write(`${note}\n`);
    const config = local.config;
    const runtime = await openWorkerRuntime(config, logger, { stop: stop.signal }).catch(async (error: unknown) => {
      stop.dispose();
      await local.stop();
      throw error;
    });
    // Metrics and health endpoints when --health-port is set, as for `polyglyph worker`.
    const workers = await host.startImageWorkers(runtime, config, logger).catch(async (error: unknown) => {
      stop.dispose();
      await closeAll([() => runtime.close(), () => local.stop()], logger);
      throw error;
    });
    const interrupted = (): boolean => stop.signal.aborted;
    try {
      const startedAt = Date.now();
      const runId = newRunId();
      const progress = new Progress(out);
      const model = modelName(config);
      // Models run side by side, each on its own deployments: the run's pace is their quotas together.
      // With models named per row (a `model` column), every deployment of the pool may be used.
      const models = defaults.models ?? [...new Set(runtime.pool.members.map((member) => member.spec.model))];
      const capacity = models.reduce((sum, name) => sum + runtime.pool.capacity(name), 0);
      const translated =
        options.translate === true
          ? await translationStage({ manifestPath: manifest, defaults, settings: config, redis: runtime.redis, queuePrefix: config.queuePrefix, out, err: process.stderr })
          : undefined;
      const tooLong = translated?.flags.filter((flag) => flag.reason === 'too_long') ?? [];
      if (tooLong.length > 0) {
        throw new InputError(`${tooLong.length} translation${tooLong.length === 1 ? ' is' : 's are'} longer than POLYGLYPH_MAX_TEXT_CHARS (${config.maxTextChars}); nothing was enqueued`, {
          hint: `run \`polyglyph translate ${manifest}\`, shorten the flagged cells (or raise --max-text-chars), and run the reviewed manifest`,
        });
      }
      if (translated) await saveRunTranslations(runtime.redis, runtime.runStore.keys, runId, translated.texts);
      const result = await enqueueManifest(runtime, {
        runId,
        manifestPath: manifest,
        defaults,
        model,
        origin: describeOrigin('run'),
        imagesPerMinute: capacity,
        masterStore: runtime.masters,
        destination: runtime.blobStore.destination,
        deployments: runtime.pool.members.map((member) => member.spec),
        ...planStep(defaults, config, out, capacity, translated && { cells: translated.filled, costMicros: translated.costMicros }),
        ...(translated ? { translations: translated.texts } : {}),
        attempts: config.attempts,
        backoffMs: config.backoffMs,
        regenerateOnMismatch: config.regenerateOnMismatch,
        maxCostUsd: config.maxCost,
        onProgress: (jobs) => progress.update(`enqueued ${plural(jobs, 'job')}`),
      });
      progress.done(`run ${runId}: ${plural(result.summary.items, 'message')}, ${plural(result.jobs, 'job')}, ${plural(result.summary.images, 'image')}; processing at ${capacity} images/min`);
      if (result.summary.warnings > 0) printSummary(result.summary, process.stderr);

      // Every deployment of a model failing its key, identity or existence: stop rather than wait behind
      // breakers for hours, keep the items queued, and say what `polyglyph check` says (issue 13, defect 3).
      let blocked: BlockedRun | undefined;
      let lastLook = 0;
      const shouldStop = async (): Promise<boolean> => {
        if (interrupted()) return true;
        if (Date.now() - lastLook < 1_000) return false;
        lastLook = Date.now();
        blocked = await findBlockedRun(runtime.pool, models, { sinceMs: startedAt, deploymentsFromFile: config.deploymentsFile !== undefined }).catch((error: unknown) => {
          logger.debug({ err: error }, 'could not look for unusable deployments');
          return undefined;
        });
        return blocked !== undefined;
      };
      let run = await waitForRun(runtime.runStore, runId, progress, shouldStop);
      if (blocked && !interrupted()) {
        const waiting = run.total - run.settled;
        process.stderr.write(
          `polyglyph: run ${runId} stopped after ${Math.round((Date.now() - startedAt) / 1000)} s: no deployment can serve ${blocked.model}; every one fails its key, identity, deployment or endpoint, as \`polyglyph check\` says:\n\n`,
        );
        process.stderr.write(formatTargets(blocked.reports));
        process.stderr.write(
          `${waiting} of ${plural(run.total, 'job')} stay${waiting === 1 ? 's' : ''} queued (${run.itemsFailed} failed): fix the configuration, confirm with \`polyglyph check\`, then \`polyglyph worker\` (or this command again) processes them\n`,
        );
        setExitCode(EXIT.badInput);
        return;
      }
      if (interrupted()) {
        out.write(`interrupted: run ${runId} stays queued; \`polyglyph worker\` processes the rest\n`);
        setExitCode(EXIT.interrupted);
        return;
      }
      // Whoever settled the last item writes the report to storage; when every image already existed
      // that was this process, while enqueueing.
      if (result.finished) await publishFinishedRun(runtime, runId);
      run = await waitForReportBlob(runtime.runStore, (await runtime.runStore.get(runId)) ?? run);
      const report = await writeReport(runtime.runStore, run, config.reportDir);
      out.write(`${describeOutcome(run)}\n`);
      await printFailures(runtime.runStore, run, out);
      out.write(`report: ${report.jsonPath} and ${report.csvPath} (${plural(report.rows, 'row')})${run.reportBlob ? `; in storage: ${run.reportBlob}` : ''}\n`);
      setExitCode(run.itemsFailed > 0 ? EXIT.itemsFailed : EXIT.ok);
    } finally {
      stop.dispose();
      await closeAll([() => workers.close(), () => runtime.close(), () => local.stop()], logger);
    }
  });
}
