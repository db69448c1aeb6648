// Issue 14 item 9: each command loads what it uses. `--version` loads no dependency at all, and
// `validate` none of the heavy ones (BullMQ, ioredis, the Azure SDK, Express, sharp).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../helpers/cli-build.js';
import { hermeticEnv } from '../helpers/cli.js';
import { createProgram } from '../../src/cli/program.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polyglyph-imports-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every module URL a CLI invocation resolves. */
async function modulesLoaded(args: string[]): Promise<string[]> {
  const file = join(dir, `${args.join('_').replace(/\W/g, '-')}.txt`);
  const [node, entry] = cliCommand();
  await run(node, ['--import', './test/helpers/record-imports.mjs', entry, ...args], { env: hermeticEnv({ RECORD_IMPORTS_FILE: file }) });
  return (await readFile(file, 'utf8')).split('\n');
}

/** The command files (src/cli/commands/<name>.ts) an invocation loads. */
function commandFiles(urls: string[]): string[] {
  return [...new Set(urls.flatMap((url) => /\/src\/cli\/commands\/([\w-]+)\.[jt]s$/.exec(url)?.[1] ?? []))].sort();
}

/** The packages (node_modules/<name>) a CLI invocation loads. */
async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const urls = await modulesLoaded(args);
  return new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
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

  it('--help loads no command (only commander), and lists every command as the commands themselves describe them', async () => {
    const urls = await modulesLoaded(['--help']);
    expect(commandFiles(urls)).toEqual([]);
    expect([...(await packagesLoaded(['--help']))]).toEqual(['commander']);
    // The list built from command-summaries.ts is the list the loaded commands give.
    expect((await createProgram(undefined, 'summaries')).helpInformation()).toBe((await createProgram()).helpInformation());
  });

  it('<command> --help and help <command> load that command alone', async () => {
    expect(commandFiles(await modulesLoaded(['validate', '--help']))).toEqual(['validate']);
    expect(commandFiles(await modulesLoaded(['help', 'status']))).toEqual(['status']);
  });
});
