import { Command } from 'commander';
import { resolve } from 'node:path';
import { resolveConfig } from '../../config/resolve-config.js';
import { cliLogger } from '../cli-logger.js';
import { ConfigError, InputError } from '../../errors/polyglyph-error.js';
import { storageUnusable } from '../../errors/storage-error.js';
import { LOCALE_CODES } from '../../locales/registry.js';
import { PULL_STATUSES, planPull, pullFiles, type PullPlan, type PullProgress } from '../../runs/pull-run.js';
import { BlobStore } from '../../storage/blob-store.js';
import { closeAll, openRuntime } from '../../runtime/runtime.js';
import { terminalValue } from '../../text/terminal-text.js';
import { EXIT, setExitCode } from '../exit.js';
import { startLocalServices } from '../local-services.js';
import { Progress } from '../progress.js';
import { CONNECTION_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { getRun } from './status.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const SETTINGS = [...CONNECTION_SETTINGS, ...STORAGE_SETTINGS, 'logLevel', 'logFormat', 'localDir'] as const;

/** `--locale ja --locale ko` and `--locale ja,ko` alike. */
function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ];
}

export function pullCommand(): Command {
  const command = new Command('pull')
    .description(COMMAND_SUMMARIES.pull.description)
    .argument('<run>', 'run id')
    .option('--out <dir>', 'folder to download into', 'polyglyph-images')
    .option('--locale <code>', `only these locales (repeat or comma-separate): ${LOCALE_CODES.join(', ')}`, collect)
    .option('--status <status>', `only rows with this status or text-check status (repeat or comma-separate): ${PULL_STATUSES.join(', ')}`, collect);
  addSettings(command, SETTINGS);
  return command.action(async (runId: string, options: Record<string, unknown>) => {
    const locales = (options.locale as string[] | undefined) ?? [];
    const statuses = (options.status as string[] | undefined) ?? [];
    const badLocale = locales.find((locale) => !LOCALE_CODES.some((code) => code.toLowerCase() === locale.toLowerCase()));
    if (badLocale !== undefined) throw new InputError(`--locale: expected one of ${LOCALE_CODES.join(', ')}, got '${badLocale}'`, { hint: 'e.g. --locale ja,ko' });
    const badStatus = statuses.find((status) => !(PULL_STATUSES as readonly string[]).includes(status));
    if (badStatus !== undefined) throw new InputError(`--status: expected one of ${PULL_STATUSES.join(', ')}, got '${badStatus}'`, { hint: 'e.g. --status needs_review' });
    const outDir = resolve(options.out as string);

    const flags = settingFlags(options, SETTINGS);
    const base = resolveConfig(flags);
    const logger = cliLogger(base, 'warn');
    const runtime = await openRuntime(base, logger);
    const cleanup: Array<() => Promise<void>> = [() => runtime.close()];
    try {
      await getRun(runtime.runStore, runId);
      let plan: PullPlan;
      try {
        plan = await planPull(runtime.runStore, runId, outDir, { locales, statuses });
      } catch (error) {
        if (error instanceof RangeError)
          throw new InputError(`run ${runId}: ${error.message}`, { hint: 'the run record names a blob that cannot be a file name; pull the other rows with --locale or --status' });
        throw error;
      }
      // Nothing configured: the Azurite of this data folder (the one a local `run` wrote to), started if no process runs it.
      const local = await startLocalServices(base, flags, { api: false });
      cleanup.unshift(() => local.stop());
      for (const note of local.notes) process.stderr.write(`${terminalValue(note)}\n`);
      const blobStore = BlobStore.fromSettings(local.config);
      let containerExists: boolean;
      try {
        containerExists = await blobStore.call(`checking container ${blobStore.container.containerName}`, (abortSignal) => blobStore.container.exists({ abortSignal }));
      } catch (error) {
        throw storageUnusable(error, blobStore.container.url);
      }
      if (!containerExists) {
        throw new ConfigError(`no container '${blobStore.container.containerName}' in blob storage at ${blobStore.displayUrl.replace(/\/[^/]*$/, '')}: the run's images are not there`, {
          hint: 'give the container and storage account the run wrote to: POLYGLYPH_CONTAINER (--container), AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL; with nothing configured, the same --local-dir as the run',
        });
      }

      const progress = new Progress(process.stderr, 2_000);
      const result = await pullFiles(blobStore, plan.files, { onProgress: (state) => progress.update(progressLine(state)) });
      progress.done(progressLine({ done: plan.files.length, total: plan.files.length, bytes: result.bytes }));
      for (const { file, message } of result.failed) process.stderr.write(`failed: ${terminalValue(file.blobName)}: ${terminalValue(message)}\n`);
      for (const file of result.missing.filter((missing) => missing.kind !== 'contact-sheet')) process.stderr.write(`not in storage: ${terminalValue(file.blobName)}\n`);
      const sheetsMissing = result.missing.filter((file) => file.kind === 'contact-sheet').length;
      process.stdout.write(
        `run ${terminalValue(runId)}: ${plan.rows} ${plan.rows === 1 ? 'row' : 'rows'} selected${plan.rowsWithoutImage ? ` (${plan.rowsWithoutImage} without an image: failed or cancelled)` : ''}; ` +
          `${result.downloaded} files downloaded (${formatBytes(result.bytes)}), ${result.skipped} already there` +
          `${sheetsMissing ? `, ${sheetsMissing} contact sheets not written for this run` : ''}` +
          `${result.missing.length - sheetsMissing ? `, ${result.missing.length - sheetsMissing} not in storage` : ''}${result.failed.length ? `, ${result.failed.length} failed` : ''}; in ${terminalValue(outDir)}\n`,
      );
      setExitCode(result.failed.length > 0 || result.missing.length > sheetsMissing ? EXIT.itemsFailed : EXIT.ok);
    } finally {
      await closeAll(cleanup, logger);
    }
  });
}

/** `pulling [##########----------] 12/40 files, 3.4 MB`. */
export function progressLine({ done, total, bytes }: PullProgress): string {
  const width = 20;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `pulling [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} files, ${formatBytes(bytes)}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
