// Finds the Azurite blob service installed with this package, without npx: npx runs the service as a
// grandchild behind a shell or npm process, and killing what we spawned would orphan Azurite itself.
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors/polyglyph-error.js';

const BIN_NAME = 'azurite-blob';

/** `azurite-blob` is not where we looked: the devDependency was not installed (`npm ci --omit=dev`, a Docker image). */
export class AzuriteNotInstalledError extends ConfigError {
  /** The path that was checked. */
  readonly binPath: string;

  constructor(binPath: string, shownPath = binPath, version = 'latest') {
    // Polyglyph only needs Azurite when no storage is configured, so an installed polyglyph does not
    // bring it (it is a devDependency: ~40 MB); the fix is the one command that adds it beside us.
    super(`Azurite is not installed (${shownPath} missing): with no storage configured, Polyglyph starts Azurite for local runs.`, {
      hint: `install it beside polyglyph: \`npm install azurite@${version}\` (a clone: \`npm ci\`), or set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL`,
    });
    this.binPath = binPath;
  }
}

/** How to run the service: `command args...`, where args come before Azurite's own flags. */
export interface AzuriteCommand {
  command: string;
  args: string[];
  /** True when the command is Node running Azurite's script, so Node flags (`--import`) can be added. */
  isNodeScript: boolean;
}

/**
 * Resolves `binPath`, or else `node_modules/.bin/azurite-blob` in the polyglyph package root (found by
 * walking up from this file, so it works from `src/` under tsx and from `dist/src/` after tsc) or the
 * nearest ancestor `node_modules` (a hoisted workspace install).
 *
 * @throws AzuriteNotInstalledError when nothing is there.
 */
export function resolveAzuriteCommand(binPath?: string): AzuriteCommand {
  const root = findPackageRoot(dirname(fileURLToPath(import.meta.url))) ?? process.cwd();
  const path = binPath ?? findBin(root);
  if (!path || !existsSync(path)) {
    const expected = path ?? join(root, 'node_modules', '.bin', BIN_NAME);
    throw new AzuriteNotInstalledError(expected, binPath ? expected : relative(process.cwd(), expected) || expected, azuriteVersion(root));
  }
  const script = nodeScriptOf(path);
  // Run the script with this very Node (not whatever `env node` finds) and as our direct child.
  return script ? { command: process.execPath, args: [script], isNodeScript: true } : { command: path, args: [], isNodeScript: false };
}

/** The Azurite version polyglyph is tested with (its devDependency), for the install hint. */
function azuriteVersion(root: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> }).devDependencies?.azurite;
  } catch {
    return undefined;
  }
}

function findPackageRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'polyglyph') return dir;
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function findBin(root: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', BIN_NAME);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The JavaScript file behind `path`: the symlink target on Unix; on Windows `.bin` holds shell and
 * .cmd shims instead, so fall back to the `bin` entry of `node_modules/azurite/package.json`.
 */
function nodeScriptOf(path: string): string | undefined {
  const real = realpathSync(path);
  if (/\.[cm]?js$/.test(real) || /^#!.*\bnode\b/.test(firstBytes(real, 200))) return real;
  const manifest = join(dirname(path), '..', 'azurite', 'package.json');
  if (!existsSync(manifest)) return undefined;
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: Record<string, string> }).bin?.[BIN_NAME];
  return bin ? join(dirname(manifest), bin) : undefined;
}

function firstBytes(path: string, length: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}
