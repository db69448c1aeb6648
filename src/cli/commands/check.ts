import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { formatCheckReport } from '../../preflight/format-check.js';
import { runCheck } from '../../preflight/run-check.js';
import { setExitCode } from '../exit.js';
import { API_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const SETTINGS = [...API_SETTINGS, ...STORAGE_SETTINGS, 'imagesPerMinute', 'priceFile'] as const;

export function checkCommand(): Command {
  const command = new Command('check')
    .description(COMMAND_SUMMARIES.check.description)
    .option('--generate', 'also spend one low-quality 1024x1024 image per deployment (price printed first) to prove the whole path')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nThe free checks send each deployment a request it refuses before generating (see docs/preflight.md).\nExit codes: 0 every check passed (warnings allowed), 2 a check failed or the configuration is invalid.',
    );
  addSettings(command, SETTINGS);
  return command.action(async (options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const json = options.json === true;
    const report = await runCheck(config, {
      generate: options.generate === true,
      // Printed before the first paid request; with --json it is in the report instead.
      onPrice: (text) => {
        if (!json) process.stdout.write(`${text}\n\n`);
      },
    });
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report));
    setExitCode(report.exitCode);
  });
}
