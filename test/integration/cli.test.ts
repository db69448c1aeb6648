import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/unique.js';
import { freePort } from '../../src/local-services/free-port.js';

let redis: TestRedis;
let workDir: string;
beforeAll(async () => {
  redis = await startRedisServer({ appendonly: false });
  workDir = await mkdtemp(join(tmpdir(), 'pg-cli-'));
});
afterAll(async () => {
  await redis?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('polyglyph CLI', () => {
  it('run: the sample end to end with the embedded stand-in API and Azurite, then a re-run that pays for nothing', async () => {
    const env = {
      REDIS_URL: redis.url,
      POLYGLYPH_QUEUE_PREFIX: uniquePrefix('cli'),
      POLYGLYPH_REPORT_DIR: join(workDir, 'reports'),
      POLYGLYPH_LOCAL_DIR: join(workDir, 'local'),
      POLYGLYPH_IMAGES_PER_MINUTE: '3000',
    };
    const first = await runCli(['run', 'samples/spring-campaign.csv'], env, 120_000);
    expect(first.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('built-in stand-in image API');
    expect(first.stdout).toContain('started Azurite');
    expect(first.stdout).toMatch(/done in [\d.]+ s: 19 images created, 0 already stored, 0 items failed/);
    const reportPath = /report: (\S+\.json)/.exec(first.stdout)?.[1];
    const report = JSON.parse(await readFile(reportPath!, 'utf8')) as { rows: unknown[]; counts: Record<string, number> };
    expect(report.rows).toHaveLength(19);
    expect(report.counts).toMatchObject({ imagesCreated: 19, itemsFailed: 0 });

    const second = await runCli(['run', 'samples/spring-campaign.csv'], env, 120_000);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 images created, 19 already stored, 0 items failed/);
  }, 240_000);

  it('run: refuses to start a second embedded Azurite on a data folder another run is using', async () => {
    const localDir = join(workDir, 'locked');
    await mkdir(localDir, { recursive: true });
    // As a `polyglyph run` that is still going leaves it: its pid (this test process is alive).
    await writeFile(join(localDir, 'azurite.lock'), `${process.pid}\n`);
    const env = { REDIS_URL: redis.url, POLYGLYPH_QUEUE_PREFIX: uniquePrefix('cli'), POLYGLYPH_REPORT_DIR: join(workDir, 'reports'), POLYGLYPH_LOCAL_DIR: localDir };
    const result = await runCli(['run', 'samples/spring-campaign.csv'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`polyglyph: another polyglyph run (pid ${process.pid}) is using the embedded Azurite's data in ${join(localDir, 'azurite')}/`);
    expect(result.stderr).toContain('how to fix: wait for it to finish, give this run its own --local-dir');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate: a broken manifest lists every problem with file:line:column and exits 2', async () => {
    const result = await runCli(['validate', 'test/fixtures/manifests/broken.csv']);
    expect(result.code).toBe(2);
    const problems = result.stderr.split('\n').filter((line) => /^test\/fixtures\/manifests\/broken\.csv:\d+:\d+: error:/.test(line));
    expect(problems.length).toBeGreaterThanOrEqual(5);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate: a good manifest exits 0 and counts images per locale', async () => {
    const result = await runCli(['validate', 'samples/spring-campaign.csv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/5 rows, 5 valid, 19 images/);
  });

  it('enqueue: refuses a broken manifest with exit 2 and enqueues nothing', async () => {
    const result = await runCli(['enqueue', 'test/fixtures/manifests/broken.csv'], { REDIS_URL: redis.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nothing was enqueued');
  });

  it('run: checks Redis before starting the stand-in and Azurite', async () => {
    const port = await freePort();
    const result = await runCli(['run', 'samples/spring-campaign.csv'], { REDIS_URL: `redis://127.0.0.1:${port}`, POLYGLYPH_LOCAL_DIR: join(workDir, 'no-redis') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(result.stdout).not.toMatch(/stand-in|Azurite/);
  });

  it('says clearly when Redis does not answer, with exit 2', async () => {
    const port = await freePort();
    const result = await runCli(['enqueue', 'samples/spring-campaign.csv'], { REDIS_URL: `redis://:secret@127.0.0.1:${port}` });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect(result.stderr).not.toContain('secret');
  });

  it('rejects bad configuration with "expected X, got Y" and exit 2', async () => {
    const result = await runCli(['validate', 'samples/spring-campaign.csv', '--variants', '11']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--variants: expected an integer from 1 to 10, got '11'");
  });

  it('--help lists every option with its environment variable and default', async () => {
    const result = await runCli(['run', '--help']);
    expect(result.code).toBe(0);
    for (const text of [
      'REDIS_URL',
      'AZURE_OPENAI_ENDPOINT',
      'AZURE_OPENAI_API_KEY',
      'AZURE_GPT_ENDPOINT',
      'AZURE_STORAGE_CONNECTION_STRING',
      'POLYGLYPH_IMAGES_PER_MINUTE',
      'POLYGLYPH_REQUEST_TIMEOUT_MS',
      'default "localized-assets"',
      'default 600000',
      'AZURE_OPENAI_MODEL',
    ]) {
      expect(result.stdout.replace(/\s+/g, ' ')).toContain(text);
    }
  });
});
