import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { createLogger } from '../../logging/create-logger.js';
import type { WorkerHost } from '../worker-host.js';
import { API_SETTINGS, CONNECTION_SETTINGS, STORAGE_SETTINGS, WORKER_SETTINGS, addSettings, settingFlags } from '../settings-options.js';

// priceFile: the cost metric (polyglyph_cost_microdollars_total) prices token usage with it.
const SETTINGS = [...CONNECTION_SETTINGS, ...API_SETTINGS, ...STORAGE_SETTINGS, ...WORKER_SETTINGS, 'priceFile'] as const;

export function workerCommand(host: WorkerHost): Command {
  const command = new Command('worker')
    .description('process jobs until SIGINT/SIGTERM, then finish or hand back in-flight jobs and exit')
    .option('--shutdown-grace-ms <ms>', 'how long in-flight jobs may finish after the first signal (default 60000)');
  addSettings(command, SETTINGS);
  return command.action(async (options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const grace = options.shutdownGraceMs === undefined ? undefined : Number(options.shutdownGraceMs);
    const logger = createLogger(config.logLevel ?? 'info', {}, { secrets: [config.apiKey, config.storageConnectionString] });
    await host.runWorkerProcess(config, logger, grace === undefined || Number.isNaN(grace) ? {} : { shutdownGraceMs: grace });
  });
}
