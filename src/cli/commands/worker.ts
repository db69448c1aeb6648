import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { cliLogger } from '../cli-logger.js';
import { awaitReachable } from '../../redis/connection.js';
import { startLocalServices } from '../local-services.js';
import type { WorkerHost } from '../worker-host.js';
import { API_SETTINGS, CONNECTION_SETTINGS, STORAGE_SETTINGS, TEXT_CHECK_SETTINGS, WORKER_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

// priceFile: the cost metric (polyglyph_cost_microdollars_total) prices token usage with it.
const SETTINGS = [
  ...CONNECTION_SETTINGS,
  ...API_SETTINGS,
  ...STORAGE_SETTINGS,
  ...WORKER_SETTINGS,
  ...TEXT_CHECK_SETTINGS,
  'workerQueues',
  'priceFile',
  'maxCost',
  'localDir',
  'shutdownGraceMs',
] as const;

export function workerCommand(host: WorkerHost): Command {
  const command = new Command('worker').description(COMMAND_SUMMARIES.worker.description);
  addSettings(command, SETTINGS);
  return command.action(async (options: Record<string, unknown>) => {
    const flags = settingFlags(options, SETTINGS);
    const base = resolveConfig(flags);
    // Nothing configured: the stand-in and Azurite that `run` or another worker on this data folder
    // runs, else our own, found by the processes that come after (see local-services.ts).
    await awaitReachable(base.redisUrl, base.redisClusterNodes, {
      onSlow: (error) => process.stderr.write(`Redis at ${error.url} has not answered within 1.5 s (a busy host?); waiting up to 30 s more\n`),
    });
    const local = await startLocalServices(base, flags);
    for (const note of local.notes) process.stderr.write(`${note}\n`);
    const config = local.config;
    const logger = cliLogger(config, 'info');
    try {
      await host.runWorkerProcess(config, logger, { shutdownGraceMs: config.shutdownGraceMs });
    } finally {
      await local.stop();
    }
  });
}
