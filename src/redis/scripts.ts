import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './connection.js';

/**
 * Polyglyph's Lua scripts, kept the way BullMQ keeps its own: one file per script in `commands/`,
 * named `name-NUMKEYS.lua` (or `name.lua` when the caller passes a variable number of keys first),
 * opening with a block that lists KEYS[i], ARGV[i] and what it returns. Shared fragments live in
 * `commands/includes/` and are pulled in with a `--- @include "name"` line, each at most once per
 * script. Every key a script touches is passed in KEYS, so with a `{hash-tagged}` prefix the scripts
 * run on a Redis Cluster.
 *
 * Scripts are registered on each client once, with ioredis `defineCommand`: the first call on a
 * connection sends the source (EVAL), later ones only its SHA1 (EVALSHA), and a server that lost its
 * script cache (a restart, a failover) gets the source again on NOSCRIPT.
 */

/** The directory of the .lua files: beside this module, in src/ (tsx) and in dist/ (copied by `npm run build`). */
const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url));
const INCLUDE = /^--- @include "([a-z0-9-]+)"\s*$/gm;

export interface ScriptDefinition {
  name: string;
  /** Fixed number of KEYS; undefined: the caller passes the count first. */
  numberOfKeys: number | undefined;
  lua: string;
}

let loaded: Map<string, ScriptDefinition> | undefined;

/** Every script in commands/, includes resolved. Read from disk once per process. */
export function loadScripts(dir = COMMANDS_DIR): Map<string, ScriptDefinition> {
  if (dir === COMMANDS_DIR && loaded) return loaded;
  const scripts = new Map<string, ScriptDefinition>();
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.lua'))
    .sort()) {
    const match = /^([a-z0-9-]+?)(?:-(\d+))?\.lua$/.exec(file);
    if (!match) throw new Error(`Lua script ${file}: expected name-NUMKEYS.lua or name.lua (lowercase, digits, -)`);
    const name = match[1]!;
    scripts.set(name, { name, numberOfKeys: match[2] === undefined ? undefined : Number(match[2]), lua: resolveIncludes(readFileSync(`${dir}${file}`, 'utf8'), dir, new Set(), [file]) });
  }
  if (dir === COMMANDS_DIR) loaded = scripts;
  return scripts;
}

function resolveIncludes(source: string, dir: string, included: Set<string>, chain: string[]): string {
  return source.replace(INCLUDE, (_line, name: string) => {
    if (chain.includes(name)) throw new Error(`Lua include cycle: ${[...chain, name].join(' -> ')}`);
    if (included.has(name)) return '';
    included.add(name);
    const fragment = readFileSync(`${dir}includes/${name}.lua`, 'utf8');
    return resolveIncludes(fragment, dir, included, [...chain, name]);
  });
}

const defined = new WeakSet<object>();

type ScriptFunction = (...args: Array<string | number | Buffer>) => Promise<unknown>;

/**
 * Runs script `name` with these KEYS and ARGV on `redis`, registering every script on that client the
 * first time. A fixed-key script checks the number of keys it is given: a wrong count is a bug here,
 * not a user error, and Redis would otherwise read ARGV as keys.
 */
export async function runScript(redis: RedisClient, name: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  const scripts = loadScripts();
  const script = scripts.get(name);
  if (!script) throw new Error(`no Lua script named ${name} in ${COMMANDS_DIR}`);
  if (script.numberOfKeys !== undefined && keys.length !== script.numberOfKeys) throw new Error(`Lua script ${name} takes ${script.numberOfKeys} keys, was given ${keys.length}`);
  if (!defined.has(redis)) {
    for (const each of scripts.values()) redis.defineCommand(commandName(each.name), each.numberOfKeys === undefined ? { lua: each.lua } : { lua: each.lua, numberOfKeys: each.numberOfKeys });
    defined.add(redis);
  }
  const run = (redis as unknown as Record<string, ScriptFunction>)[commandName(name)]!;
  return script.numberOfKeys === undefined ? run.call(redis, keys.length, ...keys, ...args) : run.call(redis, ...keys, ...args);
}

/** Method names ioredis adds to the client; prefixed so none shadows a Redis command. */
function commandName(name: string): string {
  return `polyglyph:${name}`;
}
