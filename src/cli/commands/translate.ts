import { basename, dirname, extname, join } from 'node:path';
import { Command } from 'commander';
import type { RedisClient } from '../../redis/connection.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { estimatedTranslationUsage, formatChatCost } from '../../cost/chat-prices.js';
import { cliLogger } from '../cli-logger.js';
import { readManifest } from '../../manifest/read-manifest.js';
import { createMockImageApi, type MockImageApi } from '../../mock-api/server.js';
import { assertReachable, createRedis } from '../../redis/connection.js';
import { translationEndpoint } from '../../translation/create-translator.js';
import { writeTranslatedManifest } from '../../translation/translate-manifest.js';
import { EXIT, setExitCode } from '../exit.js';
import { manifestDefaults } from '../manifest-defaults.js';
import { CONNECTION_SETTINGS, MANIFEST_SETTINGS, TRANSLATION_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { translationStage } from '../translation-stage.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const SETTINGS = [
  ...CONNECTION_SETTINGS,
  ...TRANSLATION_SETTINGS,
  'endpoint',
  'apiKey',
  'apiVersion',
  'apiStyle',
  'gptEndpoint',
  'entraScope',
  'deployment',
  'deploymentsFile',
  ...MANIFEST_SETTINGS,
  'logLevel',
  'logFormat',
] as const;

export function translateCommand(): Command {
  const command = new Command('translate')
    .description(COMMAND_SUMMARIES.translate.description)
    .argument('<manifest>', 'CSV manifest')
    .option('--out <file>', 'where to write the translated manifest (default: <manifest>.translated.csv beside it)')
    .addHelpText(
      'after',
      '\nWith no endpoint configured the built-in stand-in answers (a pseudo-localization in the target script, for trying things out). Translations are cached in Redis (REDIS_URL) by message, locale, glossary and model.',
    );
  addSettings(command, SETTINGS);
  return command.action(async (manifest: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const defaults = manifestDefaults(config);
    const logger = cliLogger(config, 'warn');
    const out = typeof options.out === 'string' ? options.out : join(dirname(manifest), `${basename(manifest, extname(manifest))}.translated.csv`);
    let standIn: MockImageApi | undefined;
    let redis: RedisClient | undefined;
    try {
      let settings = config;
      if (!translationEndpoint(config)) {
        standIn = createMockImageApi({ chatDeployments: [config.translationDeployment] });
        settings = { ...config, translationEndpoint: await standIn.listen(0), translationApiKey: config.translationApiKey ?? 'local-stand-in-key' };
        process.stdout.write(`no AZURE_OPENAI_ENDPOINT: using the built-in stand-in (pseudo-localization, not a translation) for ${config.translationDeployment}\n`);
      }
      // The cache is worth having, not worth failing for: without Redis every cell is asked for.
      const reachable = await assertReachable(config.redisUrl, config.redisClusterNodes).then(
        () => true,
        () => false,
      );
      if (reachable) {
        redis = createRedis(config.redisUrl, { role: 'client', clusterNodes: config.redisClusterNodes });
        redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
      }
      const estimate = await estimateTranslation(manifest, defaults);
      if (estimate.cells > 0)
        process.stdout.write(
          `plan: ${estimate.cells} empty text cell${estimate.cells === 1 ? '' : 's'} to translate; at most ${formatChatCost(settings.translationModel ?? settings.translationDeployment, estimate.usage)} (estimate, before the cache)\n`,
        );
      const result = await translationStage({ manifestPath: manifest, defaults, settings, redis, queuePrefix: config.queuePrefix, out: process.stdout, err: process.stderr });
      await writeTranslatedManifest(manifest, out, result);
      process.stdout.write(`wrote ${out}: review it (${result.flags.length} cell${result.flags.length === 1 ? '' : 's'} flagged), then \`polyglyph run ${out}\`\n`);
      setExitCode(EXIT.ok);
    } finally {
      await standIn?.close();
      redis?.disconnect();
    }
  });
}

/** Empty cells of a manifest and the tokens translating them would take (for the plan line). */
export async function estimateTranslation(manifest: string, defaults: ReturnType<typeof manifestDefaults>): Promise<{ cells: number; usage: { promptTokens: number; completionTokens: number } }> {
  const usage = { promptTokens: 0, completionTokens: 0 };
  let cells = 0;
  for await (const event of readManifest(manifest, defaults)) {
    if (event.type !== 'item') continue;
    for (const locale of event.item.locales) {
      if (event.item.texts[locale] !== undefined) continue;
      cells += 1;
      const one = estimatedTranslationUsage(event.item.message);
      usage.promptTokens += one.promptTokens;
      usage.completionTokens += one.completionTokens;
    }
  }
  return { cells, usage };
}
