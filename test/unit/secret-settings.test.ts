// Issue 14: the log redaction takes its secrets from the settings table's `secret` marks, so a
// setting marked secret is censored (by name, by variable and by value) without touching redaction.ts.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { SETTINGS, setting, type SettingsTable } from '../../src/config/settings.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { CENSOR } from '../../src/logging/redaction.js';

/** Log lines written with `config` as the logger's configuration and `table` as the settings table. */
function logged(config: Record<string, unknown>, table: SettingsTable, write: (logger: ReturnType<typeof createLogger>) => void): string {
  const lines: string[] = [];
  const logger = createLogger('debug', {}, { destination: { write: (line: string) => void lines.push(line) }, config, table });
  write(logger);
  expect(lines.length).toBeGreaterThan(0);
  return lines.join('');
}

/** Logs a value the ways a secret leaks: under its setting's name, under its variable, inside a message. */
function leakAttempts(name: string, env: string | undefined, value: string) {
  return (logger: ReturnType<typeof createLogger>) => {
    logger.info({ [name]: value }, 'configuration');
    logger.info({ process: { env: env ? { [env]: value } : {} } }, 'environment');
    logger.warn(`could not use ${value} here`);
  };
}

describe('secrets from the settings table', () => {
  it('censors every setting the table marks secret, however it is logged', () => {
    const secret = Object.entries(SETTINGS).filter(([, s]) => s.secret === true);
    expect(secret.map(([name]) => name)).toEqual(expect.arrayContaining(['apiKey', 'translationApiKey', 'storageConnectionString', 'dashboardToken', 'dashboardPassword']));
    for (const [name, s] of secret) {
      const value = `plain${name}0123456789`;
      const text = logged({ [name]: value }, SETTINGS, leakAttempts(name, s.env, value));
      expect(text, `${name} leaks`).not.toContain(value);
      expect(text).toContain(CENSOR);
    }
  });

  it('censors a new setting marked secret without a change to the redaction code, and only because of the mark', () => {
    const webhookSignature = { flag: '--webhook-signature <s>', env: 'POLYGLYPH_WEBHOOK_SIGNATURE', description: 'signs webhook calls', expected: 'a signature key', schema: z.string().min(1) };
    const value = 'whs0123456789abcdef';
    const marked = { ...SETTINGS, webhookSignature: setting({ ...webhookSignature, secret: true }) };
    const unmarked = { ...SETTINGS, webhookSignature: setting(webhookSignature) };
    expect(logged({ webhookSignature: value }, marked, leakAttempts('webhookSignature', webhookSignature.env, value))).not.toContain(value);
    // The same setting without the mark is logged as it is: the mark is what censors it.
    expect(logged({ webhookSignature: value }, unmarked, leakAttempts('webhookSignature', webhookSignature.env, value))).toContain(value);
  });
});
