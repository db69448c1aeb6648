import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from '../../src/index.js';
import { packageVersion } from '../../src/cli/version.js';
import { runCli } from '../helpers/cli.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; main?: string; types?: string; license: string };

describe('the layers', () => {
  it('src/ imports neither jobs/ nor workers/, statically or dynamically', () => {
    const offenders = sources('src').filter((file) => /from '(\.\.\/)+(jobs|workers)\/|import\('(\.\.\/)+(jobs|workers)\//.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('workers/ holds process entry points only: nothing outside workers/ imports from it', () => {
    const importers = [...sources('src'), ...sources('jobs')].filter((file) => /(\.\.\/)+workers\//.test(readFileSync(file, 'utf8')));
    expect(importers).toEqual([]);
  });

  it('the library entry exports the public API and package.json points at it', () => {
    expect(pkg.main).toBe('dist/src/index.js');
    expect(pkg.types).toBe('dist/src/index.d.ts');
    for (const name of ['resolveConfig', 'validateManifest', 'enqueueManifest', 'openWorkerRuntime', 'AzureImageClient', 'BlobStore', 'RunStore', 'createMockImageApi', 'PolyglyphError']) {
      expect(library, name).toHaveProperty(name);
    }
  });

  it('has the license package.json names', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License/);
  });

  it('--version prints the version in package.json', async () => {
    expect(packageVersion()).toBe(pkg.version);
    const result = await runCli(['--version']);
    expect(result.stdout.trim()).toBe(pkg.version);
    expect(result.code).toBe(0);
  });
});
