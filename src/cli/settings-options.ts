import { Option, type Command } from 'commander';
import type { FlagValues } from '../config/resolve-config.js';
import { SETTINGS, type SettingName } from '../config/settings.js';

/**
 * Adds settings to a command as options. Defaults and environment variables are shown in `--help`
 * but not given to commander, so that `resolveConfig()` alone applies flag > environment > default.
 */
export function addSettings(command: Command, names: readonly SettingName[]): Command {
  for (const name of names) {
    const setting = SETTINGS[name];
    const extras = [
      setting.env ? `env ${setting.env}` : undefined,
      'default' in setting && setting.default !== undefined ? `default ${JSON.stringify(setting.default)}` : undefined,
    ].filter(Boolean);
    command.addOption(new Option(setting.flag, `${setting.description}${extras.length ? ` (${extras.join('; ')})` : ''}`));
  }
  return command;
}

/**
 * Picks the setting values out of commander's parsed options. Commander keys an option by its flag
 * (`--queue` -> `queue`), which need not be the setting's name (`queueName`): look it up by the flag.
 */
export function settingFlags(options: Record<string, unknown>, names: readonly SettingName[]): FlagValues {
  const flags: FlagValues = {};
  for (const name of names) {
    const value = options[new Option(SETTINGS[name].flag).attributeName()];
    if (typeof value === 'string' || typeof value === 'number') flags[name] = value;
  }
  return flags;
}

export const CONNECTION_SETTINGS = ['redisUrl', 'redisClusterNodes', 'queueName', 'queuePrefix'] as const satisfies readonly SettingName[];
export const API_SETTINGS = ['endpoint', 'deployment', 'provider', 'apiVersion', 'apiStyle', 'apiKey', 'gptEndpoint', 'gptModel', 'model', 'entraScope', 'requestTimeoutMs', 'deploymentsFile'] as const satisfies readonly SettingName[];
export const STORAGE_SETTINGS = ['storageConnectionString', 'storageAccountUrl', 'container', 'storageTimeoutMs', 'storageMaxTries'] as const satisfies readonly SettingName[];
export const WORKER_SETTINGS = ['imagesPerMinute', 'concurrency', 'memoryBudgetMb', 'maxRateLimitedMs', 'maxTransientMs', 'breakerFailures', 'breakerCooldownMs', 'stalledIntervalMs', 'healthPort', 'healthHost', 'logLevel', 'logFormat'] as const satisfies readonly SettingName[];
export const MANIFEST_SETTINGS = ['locales', 'campaign', 'models', 'size', 'quality', 'format', 'variants', 'outputCompression', 'background', 'moderation', 'priceFile', 'maxCost'] as const satisfies readonly SettingName[];
export const TRANSLATION_SETTINGS = ['translationDeployment', 'translationModel', 'translationEndpoint', 'translationApiKey', 'glossary', 'maxTextChars'] as const satisfies readonly SettingName[];
export const JOB_SETTINGS = ['attempts', 'backoffMs'] as const satisfies readonly SettingName[];
export const TEXT_CHECK_SETTINGS = ['textCheck', 'textCheckMaxCer', 'textCheckConcurrency', 'textCheckQueue', 'visionDeployment', 'regenerateOnMismatch'] as const satisfies readonly SettingName[];
