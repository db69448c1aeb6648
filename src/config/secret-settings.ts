import { SETTINGS, type SettingsTable } from './settings.js';

/**
 * What the log redaction must censor, read from the settings table's `secret` marks: the names a
 * secret goes by (the setting's name, as in a logged config object, and its environment variable)
 * and the values configured for them. A setting marked secret is censored without a change to
 * src/logging/redaction.ts.
 */
export interface SettingSecrets {
  keys: string[];
  values: string[];
}

export function settingSecrets(values: Readonly<Record<string, unknown>> = {}, table: SettingsTable = SETTINGS): SettingSecrets {
  const keys: string[] = [];
  const found: string[] = [];
  for (const [name, setting] of Object.entries(table)) {
    if (!setting.secret) continue;
    keys.push(name);
    if (setting.env) keys.push(setting.env);
    const value = values[name];
    if (typeof value === 'string' && value !== '') found.push(value);
  }
  return { keys, values: found };
}
