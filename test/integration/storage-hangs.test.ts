// A storage endpoint that accepts connections and never answers (a "black hole"), one that refuses
// them, and one that refuses the key: long-running commands stop on the first SIGTERM/SIGINT with one
// clear line, and a start-up that cannot use storage ends with exit 2 and one line, never a hang or a
// RestError dump.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-services/free-port.js';
import { startBlackHole, storageConnectionString, type BlackHole } from '../helpers/black-hole.js';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';
import { sharedAzurite } from '../helpers/shared-azurite.js';
import { waitUntil } from '../helpers/pipeline.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/unique.js';

let redis: TestRedis;
let hole: BlackHole;
beforeAll(async () => {
  [redis, hole] = await Promise.all([startRedisServer({ appendonly: false }), startBlackHole()]);
});
afterAll(async () => {
  await Promise.allSettled([redis?.stop(), hole?.close()]);
});

/** Storage pointed at the black hole; its timeout far beyond the test's, so only a signal can end the wait. */
function blackHoleEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    POLYGLYPH_QUEUE_PREFIX: uniquePrefix('hang'),
    AZURE_STORAGE_CONNECTION_STRING: storageConnectionString(hole.port),
    POLYGLYPH_STORAGE_TIMEOUT_MS: '600000',
    ...extra,
  };
}

/** Exactly one non-empty line on stderr, and no stack frame or RestError dump in it. */
function oneLine(result: CliResult): string {
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, `stderr: ${result.stderr}`).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/RestError|request: \{|response: \{/);
  return lines[0]!;
}

/** Starts the command, waits until it is stuck on the black hole, sends one signal, returns how it ended. */
async function signalWhileStuck(args: string[], signal: NodeJS.Signals, env: Record<string, string>): Promise<CliResult> {
  const before = hole.accepted();
  const cli = startCli(args, env, 60_000);
  try {
    await waitUntil(() => hole.accepted() > before, `${args[0]} connects to the black hole`, 60_000);
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw new Error(`${String(error)}; output: ${JSON.stringify(cli.output())}`);
  }
  cli.child.kill(signal);
  return cli.result;
}

describe('storage that never answers: the first signal stops every long-running command', () => {
  it('scan: SIGTERM while the container check waits on the black hole ends it at once, exit 130, one line', async () => {
    const result = await signalWhileStuck(['scan'], 'SIGTERM', blackHoleEnv());
    expect(result.code, result.stderr).toBe(130);
    expect(oneLine(result)).toMatch(/^polyglyph: stopped by SIGTERM while waiting for blob storage at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/[a-z0-9-]+$/);
  }, 90_000);

  it('worker: SIGINT during start-up on the black hole ends it at once, exit 130, one line', async () => {
    const env = blackHoleEnv({ AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9', AZURE_OPENAI_API_KEY: 'test-key', POLYGLYPH_LOG_LEVEL: 'warn' });
    const result = await signalWhileStuck(['worker'], 'SIGINT', env);
    expect(result.code, result.stderr).toBe(130);
    expect(oneLine(result)).toMatch(/^polyglyph: stopped by SIGINT while waiting for blob storage at http:\/\/127\.0\.0\.1:\d+\//);
  }, 90_000);

  it('run: SIGTERM while storage never answers ends it at once, exit 130, one line; nothing enqueued', async () => {
    const result = await signalWhileStuck(['run', 'samples/spring-campaign.csv'], 'SIGTERM', blackHoleEnv());
    expect(result.code, result.stderr).toBe(130);
    expect(oneLine(result)).toMatch(/^polyglyph: stopped by SIGTERM while waiting for blob storage at http:\/\/127\.0\.0\.1:\d+\//);
    expect(result.stdout).not.toMatch(/enqueued|run \S+:/);
  }, 90_000);
});

describe('storage that cannot be used at start-up: exit 2, one line', () => {
  it('scan: no answer within POLYGLYPH_STORAGE_TIMEOUT_MS', async () => {
    const result = await runCli(['scan'], blackHoleEnv({ POLYGLYPH_STORAGE_TIMEOUT_MS: '1000' }));
    expect(result.code, result.stderr).toBe(2);
    expect(oneLine(result)).toMatch(/^polyglyph: blob storage at http:\/\/127\.0\.0\.1:\d+\/\S+ did not answer within 1000 ms: check/);
  }, 90_000);

  it('scan: connection refused', async () => {
    const port = await freePort();
    const result = await runCli(['scan'], {
      REDIS_URL: redis.url,
      POLYGLYPH_QUEUE_PREFIX: uniquePrefix('refused'),
      AZURE_STORAGE_CONNECTION_STRING: storageConnectionString(port),
      POLYGLYPH_STORAGE_MAX_TRIES: '1',
    });
    expect(result.code, result.stderr).toBe(2);
    expect(oneLine(result)).toMatch(/^polyglyph: cannot reach blob storage at http:\/\/127\.0\.0\.1:\d+\/\S+ \(.*ECONNREFUSED.*\): check AZURE_STORAGE_CONNECTION_STRING/);
  }, 90_000);

  it('scan: a wrong account key', async () => {
    const azurite = await sharedAzurite(); // a wrong key changes nothing there for other files
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const result = await runCli(['scan'], { REDIS_URL: redis.url, POLYGLYPH_QUEUE_PREFIX: uniquePrefix('wrongkey'), AZURE_STORAGE_CONNECTION_STRING: storageConnectionString(azurite.port, wrongKey) });
    expect(result.code, result.stderr).toBe(2);
    const line = oneLine(result);
    expect(line).toMatch(/^polyglyph: blob storage at http:\/\/127\.0\.0\.1:\d+\/\S+ refused the credentials \(HTTP 403 \w+\): check the account key/);
    expect(line).not.toContain(wrongKey);
  }, 90_000);
});
