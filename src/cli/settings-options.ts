import { Option, type Command } from 'commander';
import type { FlagValues } from '../config/resolve-config.js';
import { SETTINGS, type SettingName, type SettingsTable } from '../config/settings.js';

/**
 * Adds settings to a command as options. Defaults and environment variables are shown in `--help`
 * but not given to commander, so that `resolveConfig()` alone applies flag > environment > default.
 * `table`: SETTINGS unless the command has its own (the stand-in's).
 */
export function addSettings<Table extends SettingsTable = typeof SETTINGS>(command: Command, names: ReadonlyArray<Extract<keyof Table, string>>, table: Table = SETTINGS as unknown as Table): Command {
  for (const name of names) {
    const setting = table[name]!;
    const extras = [setting.env ? `env ${setting.env}` : undefined, setting.default !== undefined && !setting.secret ? `default ${JSON.stringify(setting.default)}` : undefined].filter(Boolean);
    const option = new Option(setting.flag, `${setting.description}${extras.length ? ` (${extras.join('; ')})` : ''}`);
    // A repeated flag adds up instead of the last one winning.
    if (setting.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    command.addOption(option);
  }
  return command;
}

/**
 * Picks the setting values out of commander's parsed options. Commander keys an option by its flag
 * (`--queue` -> `queue`), which need not be the setting's name (`queueName`): look it up by the flag.
 * A repeated flag's values are joined with commas.
 */
export function settingFlags<Table extends SettingsTable = typeof SETTINGS>(
  options: Record<string, unknown>,
  names: ReadonlyArray<Extract<keyof Table, string>>,
  table: Table = SETTINGS as unknown as Table,
): FlagValues<Table> {
  const flags: FlagValues<Table> = {};
  for (const name of names) {
    const value = options[new Option(table[name]!.flag).attributeName()];
    if (typeof value === 'string' || typeof value === 'number') flags[name] = value;
    else if (Array.isArray(value)) flags[name] = value.join(',');
  }
  return flags;
}

export const CONNECTION_SETTINGS = ['redisUrl', 'redisClusterNodes', 'queueName', 'queuePrefix'] as const satisfies readonly SettingName[];
export const API_SETTINGS = [
  'endpoint',
  'deployment',
  'provider',
  'apiVersion',
  'apiStyle',
  'apiKey',
  'gptEndpoint',
  'gptModel',
  'model',
  'entraScope',
  'requestTimeoutMs',
  'deploymentsFile',
] as const satisfies readonly SettingName[];
export const STORAGE_SETTINGS = ['storageConnectionString', 'storageAccountUrl', 'container', 'storageTimeoutMs', 'storageMaxTries'] as const satisfies readonly SettingName[];
export const WORKER_SETTINGS = [
  'imagesPerMinute',
  'concurrency',
  'memoryBudgetMb',
  'maxRateLimitedMs',
  'maxTransientMs',
  'breakerFailures',
  'breakerCooldownMs',
  'stalledIntervalMs',
  'healthPort',
  'healthHost',
  'logLevel',
  'logFormat',
] as const satisfies readonly SettingName[];
export const MANIFEST_SETTINGS = [
  'locales',
  'campaign',
  'models',
  'size',
  'quality',
  'format',
  'variants',
  'outputCompression',
  'background',
  'moderation',
  'priceFile',
  'maxCost',
] as const satisfies readonly SettingName[];
export const TRANSLATION_SETTINGS = ['translationDeployment', 'translationModel', 'translationEndpoint', 'translationApiKey', 'glossary', 'maxTextChars'] as const satisfies readonly SettingName[];
export const JOB_SETTINGS = ['attempts', 'backoffMs'] as const satisfies readonly SettingName[];
/** What a producer prices and paces a run with, without calling the API: the deployments, their models and quota. */
export const PLAN_SETTINGS = ['imagesPerMinute', 'deployment', 'provider', 'gptEndpoint', 'gptModel', 'model', 'deploymentsFile'] as const satisfies readonly SettingName[];
export const TEXT_CHECK_SETTINGS = ['textCheck', 'textCheckMaxCer', 'textCheckConcurrency', 'textCheckQueue', 'visionDeployment', 'regenerateOnMismatch'] as const satisfies readonly SettingName[];
