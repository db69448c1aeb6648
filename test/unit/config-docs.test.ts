import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_TABLES, configurationTable, withConfigurationTable } from '../../src/config/config-docs.js';
import { SETTINGS } from '../../src/config/settings.js';

describe('docs/configuration.md', () => {
  it('has the settings table of the code (run `npm run docs:config` after changing a setting)', () => {
    const document = readFileSync('docs/configuration.md', 'utf8');
    expect(withConfigurationTable(document)).toBe(document);
  });

  it("lists every setting with its flag and variable, the stand-in's too, and never a secret's default", () => {
    const document = readFileSync('docs/configuration.md', 'utf8');
    expect(GENERATED_TABLES.map(({ source }) => source)).toEqual(['src/config/settings.ts', 'src/mock-api/stand-in-settings.ts']);
    for (const { settings } of GENERATED_TABLES) {
      for (const setting of Object.values(settings)) {
        expect(document).toContain(`| \`${setting.flag.split(' ')[0]}\` | ${setting.env ? `\`${setting.env}\`` : ''} |`);
      }
    }
    for (const flag of ['--limit', '--interval-ms', '--shutdown-grace-ms', '--fault-rate', '--latency-ms']) expect(document).toContain(`| \`${flag}\` |`);
    expect(configurationTable({ key: { ...SETTINGS.redisUrl, flag: '--key <k>', default: 'hush', secret: true } })).not.toContain('hush');
  });
});
