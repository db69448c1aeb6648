import { Command, Option } from 'commander';
import { plural } from '../../text/plural.js';
import { Writable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolveConfig } from '../../config/resolve-config.js';
import { cliLogger } from '../cli-logger.js';
import { parseDurationMs } from '../../config/parse-duration.js';
import { ConfigError } from '../../errors/polyglyph-error.js';
import { streamReport, type ReportFormat, type StreamReportOptions } from '../../runs/write-report.js';
import { BlobStore } from '../../storage/blob-store.js';
import { readUrlSigner } from '../../storage/signed-urls.js';
import { openRuntime } from '../../runtime/runtime.js';
import { CONNECTION_SETTINGS, STORAGE_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { getRun } from './status.js';
import { terminalText } from '../../text/terminal-text.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

export function reportCommand(): Command {
  const command = new Command('report')
    .description(COMMAND_SUMMARIES.report.description)
    .argument('<run>', 'run id')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to this file instead of standard output')
    .option(
      '--signed-urls <duration>',
      'give each image a read-only link that works without an Azure login until it expires, e.g. 24h (at most 7d); needs storage that can sign: an account key, or Entra ID with a user delegation key. Without it, URLs carry no credential',
    );
  const SETTINGS = [...CONNECTION_SETTINGS, ...STORAGE_SETTINGS, 'logLevel', 'logFormat'] as const;
  addSettings(command, SETTINGS);
  return command.action(async (runId: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const signedForMs = typeof options.signedUrls === 'string' ? parseDurationMs(options.signedUrls) : undefined;
    if (typeof options.signedUrls === 'string' && signedForMs === undefined) {
      throw new ConfigError(`--signed-urls: expected a duration such as 30m, 24h or 7d, got '${options.signedUrls}'`, { hint: 'e.g. --signed-urls 24h' });
    }
    const runtime = await openRuntime(config, cliLogger(config, 'warn'));
    try {
      const run = await getRun(runtime.runStore, runId);
      const format = options.format as ReportFormat;
      const streamOptions: StreamReportOptions = {};
      if (signedForMs !== undefined) {
        const store = BlobStore.ifConfigured(config);
        if (!store)
          throw new ConfigError('--signed-urls needs the storage account the images are in', { hint: 'set AZURE_STORAGE_CONNECTION_STRING (with an AccountKey) or AZURE_STORAGE_ACCOUNT_URL' });
        const sign = await readUrlSigner(store, signedForMs);
        streamOptions.urlFor = (row) => (row.blobName ? sign(row.blobName) : '');
      }
      if (typeof options.out === 'string') {
        const file = createWriteStream(options.out, 'utf8');
        const rows = await streamReport(runtime.runStore, run, format, file, streamOptions);
        file.end();
        await once(file, 'finish');
        process.stderr.write(`${plural(rows, 'row')} written to ${options.out}\n`);
      } else {
        // On a terminal, the rows' messages and ids are shown, not acted on; piped, the data is left as it is.
        await streamReport(runtime.runStore, run, format, process.stdout.isTTY ? terminalSafeStdout() : process.stdout, streamOptions);
      }
    } finally {
      await runtime.close();
    }
  });
}

/** Standard output through terminalText, for a report printed on a terminal. */
function terminalSafeStdout(): NodeJS.WritableStream {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      process.stdout.write(terminalText(chunk.toString()), () => done());
    },
  });
}
