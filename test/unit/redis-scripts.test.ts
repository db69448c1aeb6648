import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScripts } from '../../src/redis/scripts.js';

const DIR = fileURLToPath(new URL('../../src/redis/commands/', import.meta.url));

describe('Lua scripts kept the BullMQ way', () => {
  const scripts = loadScripts();

  it('every script is a name-NUMKEYS.lua (or name.lua) file whose header lists each KEYS[i] it has and what it returns', () => {
    const files = readdirSync(DIR).filter((file) => file.endsWith('.lua'));
    expect(files.length).toBe(scripts.size);
    for (const file of files) {
      const header = /^--\[\[([\s\S]*?)\]\]/.exec(readFileSync(join(DIR, file), 'utf8'))?.[1] ?? '';
      expect(header, file).toMatch(/Returns:/);
      expect(header, file).toMatch(/ARGV\[1\]/);
      const fixed = /-(\d+)\.lua$/.exec(file);
      if (fixed) for (let i = 1; i <= Number(fixed[1]); i++) expect(header, `${file} KEYS[${i}]`).toContain(`KEYS[${i}]`);
      else expect(header, file).toMatch(/Variable key count/);
    }
  });

  it('no script builds a key name: the key of every redis.call is a KEYS entry or a local taken from KEYS', () => {
    for (const { name, lua } of scripts.values()) {
      const fromKeys = new Set<string>();
      for (const match of lua.matchAll(/local ([\w, ]+) = (KEYS\[[^\n]+)/g)) for (const local of match[1]!.split(',')) fromKeys.add(local.trim());
      for (const match of lua.matchAll(/redis\.call\('(\w+)'(?:, ([^,)]+))?/g)) {
        const [, command, key] = match;
        if (['TIME'].includes(command!)) continue;
        const ok = /^KEYS\[[^\]]+\]$/.test(key!) || fromKeys.has(key!) || /^(runKey|rowsKey|failuresKey|waitingKey|doneKey|itemsKey|learnedKey)$/.test(key!);
        expect(ok, `${name}: ${match[0]}`).toBe(true);
      }
    }
  });

  it('includes are resolved once each, nested ones too, and a cycle is an error', () => {
    const settle = scripts.get('settle')!;
    expect(settle.lua).not.toContain('@include');
    expect(settle.lua.match(/local function isFailure/g)).toHaveLength(1);
    expect(settle.lua.match(/local function claimFinish/g)).toHaveLength(1);
    expect(settle.numberOfKeys).toBeUndefined();
    expect(scripts.get('cancel-item')!.numberOfKeys).toBe(3);

    const dir = mkdtempSync(join(tmpdir(), 'lua-'));
    mkdirSync(join(dir, 'includes'));
    writeFileSync(join(dir, 'includes', 'a.lua'), '--- @include "b"\n');
    writeFileSync(join(dir, 'includes', 'b.lua'), '--- @include "a"\n');
    writeFileSync(join(dir, 'loop-1.lua'), '--- @include "a"\nreturn 0\n');
    expect(() => loadScripts(`${dir}/`)).toThrow(/include cycle/);
  });
});
