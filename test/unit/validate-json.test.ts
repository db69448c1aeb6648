// Issue 14: `polyglyph validate --json` prints machine-readable issues and a summary, with the exit
// codes of text mode.
import { describe, expect, it } from 'vitest';
import type { ValidationJson } from '../../src/cli/validation-json.js';
import { runCli } from '../helpers/cli.js';

describe('validate --json', () => {
  it('prints issues (file, line, column, code, message, fix), the summary and the plan, with the exit codes of text mode', async () => {
    // Several CLI start-ups at once on a loaded machine: each may take long, none is cut short.
    const cli = (args: string[]) => runCli(args, {}, 200_000);
    const [broken, good, overBudget, missing, brokenText] = await Promise.all([
      cli(['validate', 'test/fixtures/manifests/broken.csv', '--json']),
      cli(['validate', 'samples/spring-campaign.csv', '--json']),
      cli(['validate', 'samples/spring-campaign.csv', '--json', '--max-cost', '0.01']),
      cli(['validate', 'test/fixtures/manifests/no-such-manifest.csv', '--json']),
      cli(['validate', 'test/fixtures/manifests/broken.csv']),
    ]);

    const brokenJson = JSON.parse(broken.stdout) as ValidationJson;
    expect(broken.code).toBe(2);
    expect(broken.code).toBe(brokenText.code);
    expect(brokenJson).toMatchObject({ file: 'test/fixtures/manifests/broken.csv', valid: false, summary: { rows: 12, errors: 10, warnings: 2 } });
    expect(brokenJson.issues).toHaveLength(12);
    expect(brokenJson.issues).toContainEqual({
      file: 'test/fixtures/manifests/broken.csv',
      line: 3,
      column: 1,
      severity: 'error',
      code: 'invalid-id',
      message: "the id 'bad id' contains ' '",
      fix: expect.any(String) as string,
    });
    expect(brokenJson.plan).toBeUndefined();
    // Text mode's lines carry the same issues: one per JSON issue.
    expect(brokenText.stderr.split('\n').filter((line) => /:\d+:\d+: (error|warning): /.test(line))).toHaveLength(brokenJson.issues.length);
    expect(broken.stderr).toBe('');

    const goodJson = JSON.parse(good.stdout) as ValidationJson;
    expect(good.code).toBe(0);
    expect(goodJson).toMatchObject({ valid: true, issues: [], summary: { rows: 5, items: 5, images: 19, errors: 0 }, plan: { model: 'gpt-image-2', images: 19 } });
    expect(goodJson.plan?.costUsd).toBeGreaterThan(0);

    const overJson = JSON.parse(overBudget.stdout) as ValidationJson;
    expect(overBudget.code).toBe(2);
    expect(overJson.valid).toBe(false);
    expect(overJson.error?.message).toMatch(/exceeds --max-cost \$0\.01/);
    expect(overJson.error?.fix).toMatch(/raise --max-cost/);

    expect(missing.code).toBe(2);
    expect((JSON.parse(missing.stdout) as ValidationJson).error?.message).toMatch(/cannot read manifest .*no-such-manifest\.csv/);
  }, 240_000);
});
