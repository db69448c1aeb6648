// Issue 14 item 7: the numbers a command prints are the right ones: ETAs at the quota the running
// workers registered (not the enqueuing shell's), "no rows" for a header-only manifest, a second
// `cancel` that reports what the first one cancelled.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentRegistryKey, type DeploymentInfo } from '../../src/deployments/deployment-keys.js';
import { RunKeys } from '../../src/runs/run-keys.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { startDashboard } from '../../src/dashboard/start-dashboard.js';
import { silentLogger } from '../helpers/pipeline.js';
import { runCli } from '../helpers/cli.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let workDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedisServer();
  workDir = await mkdtemp(join(tmpdir(), 'polyglyph-right-numbers-'));
  // The enqueuing shell says 6 images/min; the workers (registered below) have 60.
  env = { REDIS_URL: redis.url, POLYGLYPH_LOCAL_DIR: join(workDir, 'local'), POLYGLYPH_REPORT_DIR: join(workDir, 'reports'), POLYGLYPH_IMAGES_PER_MINUTE: '6' };
});

afterAll(async () => {
  await redis?.stop();
  await rm(workDir, { recursive: true, force: true });
});

/** What a running worker writes every minute (DeploymentPool.register), for a deployment of 60 images/min. */
async function registerWorkerDeployment(info: Omit<DeploymentInfo, 'seenAt'>): Promise<void> {
  const client = new Redis(redis.url);
  try {
    await client.hset(deploymentRegistryKey(new RunKeys('polyglyph', 'images').base), info.name, JSON.stringify({ ...info, seenAt: Date.now() }));
  } finally {
    client.disconnect();
  }
}

describe('right numbers', () => {
  it("enqueue and status use the quota the workers registered, the shell's only when none did, and say which; a second cancel reports what the first cancelled", async () => {
    const alone = await runCli(['enqueue', 'samples/blocked-on-purpose.csv'], env);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stderr).toContain('estimated duration: 30 s at 6 images/min');
    expect(alone.stderr).toContain('pace: 6 images/min from POLYGLYPH_IMAGES_PER_MINUTE of this shell: no worker has registered a deployment of gpt-image-2 yet');

    await registerWorkerDeployment({ name: 'img-swe', model: 'gpt-image-2', provider: 'azure-openai', imagesPerMinute: 60 });
    const served = await runCli(['enqueue', 'samples/blocked-on-purpose.csv', '--campaign', 'served'], env);
    expect(served.code, served.stderr).toBe(0);
    expect(served.stderr).toContain('estimated duration: 3 s at 60 images/min');
    expect(served.stderr).toContain('pace: 60 images/min, the quota of the deployments the running workers registered (gpt-image-2 on img-swe)');
    const runId = served.stdout.trim();

    const status = await runCli(['status', runId], env);
    expect(status.stdout).toMatch(new RegExp(`run ${runId}: running, about 3 s left at 60 images/min \\(the quota the running workers registered: img-swe\\)`));
    // The dashboard's run page: the same pace, said the same way.
    const dashboard = await startDashboard({ ...resolveConfig({}, { REDIS_URL: redis.url }), dashboardPort: 0 }, silentLogger);
    try {
      const page = await (await fetch(`${dashboard.url}/runs/${runId}`)).text();
      expect(page).toContain('<dt>Time left</dt><dd>about 3 s at 60 images/min <span class="muted">(the quota the running workers registered: img-swe)</span>');
    } finally {
      await dashboard.close();
    }

    // No worker takes the jobs: the first cancel takes all three, the second says they were.
    const first = await runCli(['cancel', runId], env);
    expect(first.stdout).toContain(`run ${runId}: 3 items cancelled; 0 items already running or done`);
    const second = await runCli(['cancel', runId], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`run ${runId} was already cancelled at [^:]+:\\d\\d(:\\d\\d)?[^:]*: 3 items cancelled; 0 items already running or done`));
  }, 300_000);

  it('a header-only manifest is "no rows" (file, line, how to fix) for validate, enqueue, translate and run; never a price question', async () => {
    const empty = join(workDir, 'header-only.csv');
    await writeFile(empty, 'id,message,locales,text:ja\n');
    for (const command of ['validate', 'enqueue', 'translate', 'run']) {
      const result = await runCli([command, empty], env, 120_000);
      expect(result.code, `${command}: ${result.stdout}${result.stderr}`).toBe(2);
      expect(result.stderr, command).toContain(`${empty}:2:1: error: the manifest has a header but no rows: there is nothing to make (no-rows); fix: add one row per message under the header`);
      expect(`${result.stdout}${result.stderr}`, command).not.toContain('no price for model');
    }
  }, 400_000);
});
