import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { cliLogger } from '../cli-logger.js';
import { untilStopSignal } from '../stop-signal.js';
import { manifestDefaults } from '../manifest-defaults.js';
import { CONNECTION_SETTINGS, JOB_SETTINGS, MANIFEST_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

// The manifest and job settings are the ones a rejected image is rendered again with (as `retry` takes them).
const SETTINGS = [
  ...CONNECTION_SETTINGS,
  ...STORAGE_SETTINGS,
  'dashboardHost',
  'dashboardPort',
  'dashboardAllowedHosts',
  'dashboardToken',
  'dashboardUser',
  'dashboardPassword',
  ...MANIFEST_SETTINGS,
  ...JOB_SETTINGS,
  'logLevel',
  'logFormat',
] as const;

export function dashboardCommand(): Command {
  const command = new Command('dashboard')
    .description(COMMAND_SUMMARIES.dashboard.description)
    .option('--allow-job-actions', "enable Bull Board's retry, clean, promote and pause buttons (off: jobs retried there bypass their run's counts; use `polyglyph retry`)");
  addSettings(command, SETTINGS);
  return command.action(async (options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const logger = cliLogger(config, 'info');
    // Loaded here, not at the top: Express and Bull Board would otherwise load with every command.
    const { startDashboard } = await import('../../dashboard/start-dashboard.js');
    const rerender = { defaults: manifestDefaults(config), attempts: config.attempts, backoffMs: config.backoffMs, maxCostUsd: config.maxCost };
    const dashboard = await startDashboard(config, logger, { allowJobActions: options.allowJobActions === true, rerender });
    process.stdout.write(`dashboard on ${dashboard.url}/runs (queues: ${dashboard.url}/queues)${dashboard.authenticated ? '; authentication required' : '; no authentication (loopback only)'}\n`);
    logger.info({ url: dashboard.url, authenticated: dashboard.authenticated }, 'dashboard listening');
    await untilStopSignal();
    await dashboard.close();
  });
}
