import { ConfigError } from '../errors/polyglyph-error.js';
import { clusterSafePrefix } from '../redis/cluster-prefix.js';
import { readEnv } from './read-env.js';
import { SETTINGS, type Config, type Setting, type SettingName } from './settings.js';

/** Flag values as commander gives them, keyed by setting name (camelCase of the flag). */
export type FlagValues = Partial<Record<SettingName, string | number>>;

/**
 * Merges flag > environment > default for every setting and validates the result once, at start-up.
 * Every problem is reported together, each as "<flag> / <ENV>: expected X, got Y".
 */
export function resolveConfig(flags: FlagValues = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const resolved: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(SETTINGS) as Array<[SettingName, Setting]>) {
    const fromFlag = flags[name];
    const raw = fromFlag !== undefined ? String(fromFlag) : setting.env ? readEnv(setting.env, env) : undefined;
    if (raw === undefined) {
      if (setting.default !== undefined) resolved[name] = setting.default;
      continue;
    }
    const parsed = setting.schema.safeParse(raw.trim());
    if (parsed.success) resolved[name] = parsed.data;
    else problems.push(`${describeSource(setting, fromFlag !== undefined)}: expected ${setting.expected}, got ${setting.secret ? 'a value that does not fit' : `'${raw}'`}`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`, {
      hint: 'fix the flag or environment variable named above (`polyglyph <command> --help` lists them with their defaults)',
    });
  }
  const config = resolved as unknown as Config;
  // On a cluster every key a script touches must share a slot: one {hash tag} over the whole prefix.
  return { ...config, queuePrefix: clusterSafePrefix(config.queuePrefix, config.redisClusterNodes !== undefined) };
}

function describeSource(setting: Setting, fromFlag: boolean): string {
  const flagName = setting.flag.split(' ')[0] ?? setting.flag;
  return fromFlag || !setting.env ? flagName : `${setting.env} (${flagName})`;
}
