import { readFileSync } from 'node:fs';

/**
 * The package's version, from its package.json: found by walking up from this module, which sits at
 * a different depth in the sources (src/cli) than in the build (dist/src/cli).
 */
export function packageVersion(from: URL = new URL('.', import.meta.url)): string {
  for (let dir = from; ; ) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'polyglyph' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No package.json here (or not ours): look one folder up.
    }
    const parent = new URL('..', dir);
    if (parent.href === dir.href) throw new Error('package.json of polyglyph not found above ' + from.pathname);
    dir = parent;
  }
}
