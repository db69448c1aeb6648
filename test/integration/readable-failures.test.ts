// Issue 14 item 6: a failing `run` at a terminal prints one readable line per failed item (file:line,
// id, locale, code, message, deployment), not kilobytes of JSON with stack traces; JSON logs only
// with --log-format json or when stderr is not a terminal. A real pseudo-terminal (util-linux `script`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runCliInTerminal } from '../helpers/pty.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let workDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedisServer();
  workDir = await mkdtemp(join(tmpdir(), 'polyglyph-readable-failures-'));
  env = { REDIS_URL: redis.url, POLYGLYPH_LOCAL_DIR: join(workDir, 'local'), POLYGLYPH_REPORT_DIR: join(workDir, 'reports') };
});

afterAll(async () => {
  await redis?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const FAILURE_LINE = 'samples/blocked-on-purpose.csv:3: refused (ja) failed: content_policy_violation: Your request was rejected as a result of our safety system.';

describe('failures a person can read', () => {
  it('at a terminal: one line per failed item with its manifest line and deployment, no JSON, no stack; status lists failures by code', async () => {
    const run = await runCliInTerminal(['run', 'samples/blocked-on-purpose.csv'], env, 150_000);
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toContain('1 item failed:\n');
    expect(run.stdout).toContain(FAILURE_LINE);
    expect(run.stdout).toMatch(/safety system\. \(deployment gpt-image-2\)\n/);
    expect(run.stdout).toMatch(/done in [\d.]+ s: 2 images created, 0 already stored, 1 item failed\n/);
    expect(run.stdout).toMatch(/\(3 rows\)/);
    expect(run.stdout).not.toContain('{"level"');
    expect(run.stdout).not.toMatch(/\n\s+at /);

    const runId = /run (r\S+):/.exec(run.stdout)![1]!;
    const status = await runCli(['status', runId], env);
    expect(status.stdout).toContain(`failures  content_policy_violation 1 (\`polyglyph report ${runId}\` lists each)`);
  }, 300_000);

  it('at a terminal with --log-format json: the JSON log lines are back', async () => {
    // Another campaign: other job ids, so the item really fails again instead of reusing its outcome.
    const run = await runCliInTerminal(['run', 'samples/blocked-on-purpose.csv', '--campaign', 'json-logs', '--log-format', 'json'], env, 150_000);
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toMatch(/\{"level":40,.*"event":"item_failed".*"msg":"image generation failed"\}/);
    expect(run.stdout).toContain(FAILURE_LINE);
  }, 300_000);
});
