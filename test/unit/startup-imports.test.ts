// Issue 14 item 9: each command loads what it uses. `--version` loads no dependency at all, and
// `validate` none of the heavy ones (BullMQ, ioredis, the Azure SDK, Express, sharp).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv } from '../helpers/cli.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polyglyph-imports-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The packages (node_modules/<name>) a CLI invocation loads. */
async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const file = join(dir, `${args.join('_').replace(/\W/g, '-')}.txt`);
  await run(process.execPath, ['--import', './test/helpers/record-imports.mjs', '--import', 'tsx', 'test/helpers/cli-entry.ts', ...args], { env: hermeticEnv({ RECORD_IMPORTS_FILE: file }) });
  const urls = (await readFile(file, 'utf8')).split('\n');
  // tsx and its own dependencies load the sources; they are not the CLI's.
  return new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []).filter((name) => !['tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps'].includes(name)));
}

const HEAVY = ['bullmq', 'ioredis', '@azure/storage-blob', '@azure/identity', 'express', 'sharp', '@bull-board/api', 'pino'];

describe('start-up loads per command', () => {
  it('--version loads no package', async () => {
    expect([...(await packagesLoaded(['--version']))]).toEqual([]);
  });

  it('validate loads none of BullMQ, ioredis, the Azure SDK, Express, sharp, Bull Board or pino', async () => {
    const loaded = await packagesLoaded(['validate', 'samples/spring-campaign.csv']);
    expect(loaded.has('csv-parse')).toBe(true);
    expect(HEAVY.filter((name) => loaded.has(name))).toEqual([]);
  });
});
