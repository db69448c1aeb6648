// The CLI as plain JavaScript, for the tests' child processes: built from the checkout's sources once
// per test run by cli-build-setup.ts (a Vitest globalSetup); this module says where it is.
//
// Each child used to run the sources through tsx (`node --import tsx test/helpers/cli-entry.ts`). tsx's
// loader hooks see every module the child loads, SDKs included, so each start cost about a CPU-second
// more than plain Node, and on two saturated cores the suite's many CLI children pushed tests past a
// third of their limit (issue 14 item 10). The build is the transform tsx applied (esbuild, one file
// at a time), done once instead of in every child.
import { join } from 'node:path';
import { inject } from 'vitest';

export const CLI_BUILD_DIR = 'polyglyphCliBuildDir';

declare module 'vitest' {
  export interface ProvidedContext {
    [CLI_BUILD_DIR]: string;
  }
}

/** The build's folder: it mirrors the checkout (src/, jobs/, workers/, test/helpers/cli-entry.js). */
function buildDir(): string {
  const dir = inject(CLI_BUILD_DIR);
  if (!dir) throw new Error('no CLI build: run the tests with vitest.config.ts, whose globalSetup builds it');
  return dir;
}

/** The built copy of a source file of the checkout: `src/x/y.ts` -> `<build>/src/x/y.js`. */
export function builtFile(sourcePath: string): string {
  if (!sourcePath.endsWith('.ts')) throw new Error(`not a TypeScript source: ${sourcePath}`);
  return join(buildDir(), `${sourcePath.slice(0, -'.ts'.length)}.js`);
}

/** `node <entry>`: how a test starts `polyglyph`, followed by the CLI's own arguments. */
export function cliCommand(): [node: string, entry: string] {
  return [process.execPath, builtFile('test/helpers/cli-entry.ts')];
}
