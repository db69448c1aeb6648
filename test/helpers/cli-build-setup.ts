// Vitest globalSetup: builds the CLI from the checkout's sources into plain JavaScript once per run, so
// the tests' child processes start with plain Node instead of tsx (why: cli-build.ts).
//
// The build is never a leftover: every run (and every rerun in watch mode) builds from the sources as
// they are, into a folder of its own that the run removes at the end. The folder is inside the
// checkout, not in the system's temp folder, because the built files must find what the sources find
// by walking up: node_modules (bare imports, Azurite), and package.json ("type": "module", the version).
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { CLI_BUILD_DIR } from './cli-build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILDS = join(ROOT, 'test-results');
const PREFIX = 'cli-build-';
/** What the CLI is made of; the entry is the one the tests used to run through tsx. */
const SOURCE_DIRS = ['src', 'jobs', 'workers'];
const ENTRY = 'test/helpers/cli-entry.ts';
/** Read beside the modules at run time (src/redis/scripts.ts); `npm run build` copies it the same way. */
const ASSETS = ['src/redis/commands'];

export default async function setup(project: TestProject): Promise<() => void> {
  removeBuildsOfEndedRuns();
  const dir = join(BUILDS, `${PREFIX}${process.pid}`);
  await buildCli(dir);
  project.provide(CLI_BUILD_DIR, dir);
  project.onTestsRerun(() => buildCli(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}

/** Transpiles each source file on its own (what tsx does on load; the sources use isolatedModules). */
async function buildCli(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const entryPoints = [...SOURCE_DIRS.flatMap(sourcesIn), join(ROOT, ENTRY)];
  await build({ entryPoints, outdir: dir, outbase: ROOT, bundle: false, format: 'esm', platform: 'node', target: `node${process.versions.node}`, logLevel: 'error' });
  for (const asset of ASSETS) cpSync(join(ROOT, asset), join(dir, asset), { recursive: true });
}

function sourcesIn(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(ROOT, dir, name));
}

/** A run that was killed could not remove its build; its process id, in the folder's name, is gone. */
function removeBuildsOfEndedRuns(): void {
  if (!existsSync(BUILDS)) return;
  for (const name of readdirSync(BUILDS)) {
    const pid = Number(name.slice(PREFIX.length));
    if (name.startsWith(PREFIX) && Number.isInteger(pid) && !isRunning(pid)) rmSync(join(BUILDS, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
