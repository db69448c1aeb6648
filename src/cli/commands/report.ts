import { Command, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolveConfig } from '../../config/resolve-config.js';
import { createLogger } from '../../logging/create-logger.js';
import { streamReport, type ReportFormat } from '../../runs/write-report.js';
import { openRuntime } from '../../../workers/runtime.js';
import { CONNECTION_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { getRun } from './status.js';

export function reportCommand(): Command {
  const command = new Command('report')
    .description('print a run\'s report: one row per image or failed item (CSV is RFC 4180, safe to open in a spreadsheet)')
    .argument('<run>', 'run id')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to this file instead of standard output');
  addSettings(command, [...CONNECTION_SETTINGS, 'logLevel']);
  return command.action(async (runId: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, [...CONNECTION_SETTINGS, 'logLevel']));
    const runtime = await openRuntime(config, createLogger(config.logLevel ?? 'warn'));
    try {
      const run = await getRun(runtime.runStore, runId);
      const format = options.format as ReportFormat;
      if (typeof options.out === 'string') {
        const file = createWriteStream(options.out, 'utf8');
        const rows = await streamReport(runtime.runStore, run, format, file);
        file.end();
        await once(file, 'finish');
        process.stderr.write(`${rows} rows written to ${options.out}\n`);
      } else {
        await streamReport(runtime.runStore, run, format, process.stdout);
      }
    } finally {
      await runtime.close();
    }
  });
}
