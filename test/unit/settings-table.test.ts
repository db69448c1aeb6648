// Issue 14: one settings mechanism. Flags that commands parsed by hand (status --limit, scan
// --interval-ms, worker --shutdown-grace-ms) and the stand-in's own flag table go through the settings
// tables, fail with the same "<flag>: expected X, got 'Y'" and a fix, and are in docs/configuration.md.
import { describe, expect, it } from 'vitest';
import { mockApiSettings } from '../../src/cli/commands/mock-api.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import { runCli } from '../helpers/cli.js';
import { caught } from '../helpers/caught.js';

function configErrorOf(action: () => unknown): ConfigError {
  const error = caught(action);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('one settings mechanism', () => {
  it('checks the once hand-parsed numbers like every other setting', () => {
    expect(resolveConfig({}, {})).toMatchObject({ statusLimit: 20, scanIntervalMs: 30_000, shutdownGraceMs: 60_000 });
    expect(resolveConfig({ statusLimit: '5', scanIntervalMs: '250' }, { POLYGLYPH_SHUTDOWN_GRACE_MS: '1000' })).toMatchObject({ statusLimit: 5, scanIntervalMs: 250, shutdownGraceMs: 1000 });

    const error = configErrorOf(() => resolveConfig({ statusLimit: 'x', scanIntervalMs: '50' }, { POLYGLYPH_SHUTDOWN_GRACE_MS: 'soon' }));
    expect(error.message).toContain("--limit: expected a positive integer, got 'x'");
    expect(error.message).toContain("--interval-ms: expected an integer of milliseconds, 100 or more, got '50'");
    expect(error.message).toContain("POLYGLYPH_SHUTDOWN_GRACE_MS (--shutdown-grace-ms): expected a non-negative integer of milliseconds, got 'soon'");
    expect(error.hint).toMatch(/fix the flag or environment variable named above/);
  });

  it("refuses the stand-in's bad values in the same words, through the same resolver", () => {
    const polyglyph = configErrorOf(() => resolveConfig({ dashboardPort: 'eighty' }, {}));
    const standIn = configErrorOf(() => mockApiSettings({ port: 'eighty' }, {}));
    expect(polyglyph.message).toContain("--port: expected a port number from 0 to 65535, got 'eighty'");
    expect(standIn.message).toContain("--port: expected an integer port from 0 to 65535, got 'eighty'");
    expect(standIn.hint).toBe(polyglyph.hint);
    expect(configErrorOf(() => mockApiSettings({}, { POLYGLYPH_MOCK_SEED: 'x' })).message).toContain("POLYGLYPH_MOCK_SEED (--seed): expected an integer seed, got 'x'");
  });

  it('the CLI stops with that message, a fix and exit 2, before it needs Redis', async () => {
    const [status, scan, worker] = await Promise.all([
      runCli(['status', '--limit', 'x'], {}, 150_000),
      runCli(['scan', '--interval-ms', '5'], {}, 150_000),
      runCli(['worker', '--shutdown-grace-ms', 'soon'], {}, 150_000),
    ]);
    for (const [result, line] of [
      [status, "--limit: expected a positive integer, got 'x'"],
      [scan, "--interval-ms: expected an integer of milliseconds, 100 or more, got '5'"],
      [worker, "--shutdown-grace-ms: expected a non-negative integer of milliseconds, got 'soon'"],
    ] as const) {
      expect(result.stderr).toContain(line);
      expect(result.stderr).toContain('how to fix:');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code).toBe(2);
    }
    // Three CLI start-ups at once on a loaded machine: a generous limit, so the test only fails on a hang.
  }, 180_000);
});
