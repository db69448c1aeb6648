import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationTable, withConfigurationTable } from '../../src/config/config-docs.js';
import { SETTINGS } from '../../src/config/settings.js';

describe('docs/configuration.md', () => {
  it('has the settings table of the code (run `npm run docs:config` after changing a setting)', () => {
    const document = readFileSync('docs/configuration.md', 'utf8');
    expect(withConfigurationTable(document)).toBe(document);
  });

  it('lists every setting with its flag and variable, and never a secret\'s default', () => {
    const table = configurationTable();
    for (const setting of Object.values(SETTINGS)) {
      expect(table).toContain(`| \`${setting.flag.split(' ')[0]}\` |`);
      if (setting.env) expect(table).toContain(`\`${setting.env}\``);
    }
    expect(configurationTable({ key: { ...SETTINGS.redisUrl, flag: '--key <k>', default: 'hush', secret: true } })).not.toContain('hush');
  });
});
