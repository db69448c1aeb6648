import { ConfigError } from '../errors/polyglyph-error.js';
import { clusterSafePrefix } from '../redis/cluster-prefix.js';
import { readEnv } from './read-env.js';
import { SETTINGS, type Config, type Setting, type SettingValues, type SettingsTable } from './settings.js';

/** Flag values as commander gives them, keyed by setting name (camelCase of the flag). */
export type FlagValues<Table extends SettingsTable = typeof SETTINGS> = Partial<Record<keyof Table, string | number>>;

/**
 * Merges flag > environment > default for every setting and validates the result once, at start-up.
 * Every problem is reported together, each as "<flag> / <ENV>: expected X, got Y".
 */
export function resolveConfig(flags: FlagValues = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const config = resolveSettings(SETTINGS, flags, env);
  // On a cluster every key a script touches must share a slot: one {hash tag} over the whole prefix.
  return { ...config, queuePrefix: clusterSafePrefix(config.queuePrefix, config.redisClusterNodes !== undefined) };
}

/**
 * resolveConfig for any settings table (the stand-in's too): one merge, one check, one way of
 * saying what is wrong, so every flag and variable of every command fails alike.
 */
export function resolveSettings<Table extends SettingsTable>(table: Table, flags: FlagValues<Table> = {}, env: NodeJS.ProcessEnv = process.env): SettingValues<Table> {
  const resolved: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(table) as Array<[Extract<keyof Table, string>, Setting]>) {
    const fromFlag = flags[name];
    const raw = fromFlag !== undefined ? String(fromFlag) : setting.env ? readEnv(setting.env, env) : undefined;
    if (raw === undefined) {
      if (setting.default !== undefined) resolved[name] = setting.default;
      continue;
    }
    const parsed = setting.schema.safeParse(raw.trim());
    if (parsed.success) {
      resolved[name] = parsed.data;
      continue;
    }
    // A schema's own words (a refinement's "listed twice") say more than "expected X" alone.
    const details = parsed.error.issues.filter((issue) => issue.code === 'custom').map((issue) => issue.message);
    const got = setting.secret ? 'a value that does not fit' : `'${raw}'`;
    problems.push(`${describeSource(setting, fromFlag !== undefined)}: expected ${setting.expected}, got ${got}${details.length > 0 ? ` (${details.join('; ')})` : ''}`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, {
      hint: 'fix the flag or environment variable named above, or leave it unset for its default (`polyglyph <command> --help` lists them with their defaults)',
    });
  }
  return resolved as SettingValues<Table>;
}

function describeSource(setting: Setting, fromFlag: boolean): string {
  const flagName = setting.flag.split(' ')[0] ?? setting.flag;
  return fromFlag || !setting.env ? flagName : `${setting.env} (${flagName})`;
}
