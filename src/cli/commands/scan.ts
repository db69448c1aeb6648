import { setTimeout as sleep } from 'node:timers/promises';
import { describeDropSource } from '../../drops/drop-source.js';
import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import type { Config } from '../../config/settings.js';
import type { DropOutcome } from '../../drops/ingest-drop.js';
import { IngestLedger } from '../../drops/ingest-ledger.js';
import type { ScanDeps } from '../../drops/scan-drops.js';
import { scanDrops } from '../../drops/scan-drops.js';
import { interruptedOr } from '../../errors/interrupted.js';
import { InputError } from '../../errors/polyglyph-error.js';
import { cliLogger } from '../cli-logger.js';
import { BlobStore } from '../../storage/blob-store.js';
import { openRuntime, type Runtime } from '../../runtime/runtime.js';
import { runStarter } from '../start-run.js';
import { listenForStop } from '../stop-signal.js';
import { CONNECTION_SETTINGS, JOB_SETTINGS, MANIFEST_SETTINGS, PLAN_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { terminalValue } from '../../text/terminal-text.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

export const SCAN_SETTINGS = [...CONNECTION_SETTINGS, ...STORAGE_SETTINGS, ...MANIFEST_SETTINGS, ...JOB_SETTINGS, 'dropPrefix', 'dropDir', ...PLAN_SETTINGS, 'logLevel', 'logFormat'] as const;

/** What a scan pass needs, from the configuration: blobs when storage is configured, the folder when `--drop-dir` is set. */
export async function scanDepsFor(runtime: Runtime, config: Config, out: NodeJS.WritableStream = process.stderr, options: { stop?: AbortSignal } = {}): Promise<ScanDeps> {
  const blobStore = BlobStore.ifConfigured(config);
  if (!blobStore && config.dropDir === undefined) {
    throw new InputError('nothing to scan: no blob storage is configured and no drop folder is set', {
      hint: 'set AZURE_STORAGE_CONNECTION_STRING (or AZURE_STORAGE_ACCOUNT_URL), or --drop-dir / POLYGLYPH_DROP_DIR',
    });
  }
  try {
    await blobStore?.ensureContainer({ stop: options.stop });
  } catch (error) {
    throw interruptedOr(error, options.stop, `waiting for blob storage at ${storageUrl(blobStore)}`);
  }
  return {
    storageCall: blobStore ? (operation, run) => blobStore.call(operation, run, options.stop) : undefined,
    ledger: new IngestLedger(runtime.redis, runtime.runStore.keys.base),
    startRun: runStarter(runtime, config, blobStore, out),
    container: blobStore?.container,
    dropPrefix: config.dropPrefix,
    dropDir: config.dropDir,
    logger: runtime.logger,
  };
}

function storageUrl(blobStore: BlobStore | undefined): string {
  return blobStore ? blobStore.displayUrl : 'no storage';
}

/** One line per manifest: `started spring.csv -> run <id>`. Terminal-safe: anyone who can drop a blob names it. */
export function describeDrop(outcome: DropOutcome): string {
  return terminalValue(dropLine(outcome));
}

function dropLine(outcome: DropOutcome): string {
  const where = outcome.where === 'blob' ? 'blob' : 'file';
  switch (outcome.action) {
    case 'started':
      return `started ${where} ${outcome.name} -> run ${outcome.runId ?? '?'}`;
    case 'duplicate':
      return `duplicate ${where} ${outcome.name}: same content as ${describeDropSource(outcome.earlierSource)}${outcome.earlierRunId ? ` (run ${outcome.earlierRunId})` : ''}; moved to processed/, no new run`;
    case 'rejected':
      return `rejected ${where} ${outcome.name}: ${(outcome.errors ?? []).length} line(s) in rejected/${outcome.name}.errors.txt`;
    case 'skipped':
      return `skipped ${where} ${outcome.name}: ${outcome.message ?? ''}`;
    case 'failed':
      return `failed ${where} ${outcome.name}: ${outcome.message ?? ''} (left for the next pass)`;
  }
}

export function scanCommand(): Command {
  const command = new Command('scan').description(COMMAND_SUMMARIES.scan.description).option('--watch', 'keep scanning until SIGINT/SIGTERM');
  const settings = [...SCAN_SETTINGS, 'scanIntervalMs'] as const;
  addSettings(command, settings);
  return command.action(async (options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, settings));
    // Listening before anything can hang: the first signal abandons whatever storage call is waiting.
    const stop = listenForStop();
    try {
      const runtime = await openRuntime(config, cliLogger(config, 'warn'));
      try {
        const deps = await scanDepsFor(runtime, config, process.stderr, { stop: stop.signal });
        do {
          const outcomes = await scanDrops(deps).catch((error: unknown) => {
            throw interruptedOr(error, stop.signal, 'scanning for dropped manifests (a manifest being ingested is taken up again by the next scan)');
          });
          for (const outcome of outcomes) process.stdout.write(`${describeDrop(outcome)}\n`);
          if (outcomes.length === 0 && options.watch !== true) process.stdout.write('no manifests dropped\n');
          if (options.watch !== true) break;
          await sleep(config.scanIntervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
        } while (!stop.signal.aborted);
      } finally {
        await runtime.close();
      }
    } finally {
      stop.dispose();
    }
  });
}
