import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** `polyglyph validate` as a user runs it, on inputs found by probing (issue 13). No services needed. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-cli-safety-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('polyglyph validate on unsafe input', () => {
  it('a model name Azure cannot store as a tag: exit 2 with the fix, before any image is paid for', async () => {
    const manifest = join(dir, 'spring.csv');
    await writeFile(manifest, 'id,message,locales\nhero,Spring Sale,ja\n');
    const result = await runCli(['validate', manifest], { AZURE_OPENAI_ENDPOINT: 'https://example.openai.azure.com', AZURE_OPENAI_DEPLOYMENT: 'img@eu', AZURE_OPENAI_MODEL: 'gpt-image-2 (eu)' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "polyglyph: the model 'gpt-image-2 (eu)' (AZURE_OPENAI_MODEL / --model-name, AZURE_GPT_MODEL, or a MAI deployment's name) cannot be stored with its images (blob index tag 'model'): index tag values take only letters, digits, space and + - . / : = _ (not '(')",
    );
    expect(result.stderr).toContain('how to fix: set AZURE_OPENAI_MODEL (--model-name) to the model the deployment serves');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('polyglyph prints manifest values inert (issue 13, defect 7)', () => {
  // eslint-disable-next-line no-control-regex -- the point of the test
  const ACTIONABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

  it('validate: header names, ids and cells with escape sequences and bidi overrides are shown escaped', async () => {
    const manifest = join(dir, 'hostile.csv');
    await writeFile(manifest, 'id,message,locales,\x1b]0;owned\x07,\x1b[2J\x1b[H\n"bad\u202eid",Hi,ja,x,y\nok,"Hi\x1b[31m",xx\x1b[5m,,\n');
    const result = await runCli(['validate', manifest]);
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).not.toMatch(ACTIONABLE);
    expect(result.stderr).toContain("2 unknown columns are ignored: '\\u001b]0;owned\\u0007', '\\u001b[2J\\u001b[H'");
    expect(result.stderr).toContain("the id 'bad\\u202eid' contains '\\u202e'");
    expect(result.stderr).toContain("unknown locale 'xx\\u001b[5m'");
  });

  it('an error message quoting an argument is shown escaped', async () => {
    const result = await runCli(['validate', join(dir, 'missing\x1b]0;owned\x07.csv')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('polyglyph: cannot read manifest');
    expect(result.stderr).toContain('missing\\u001b]0;owned\\u0007.csv');
    expect(result.stderr).not.toMatch(ACTIONABLE);
  });
});

describe('polyglyph validate on a UTF-16 manifest (issue 13, defect 10)', () => {
  it('names the encoding and the fix instead of garbled column names', async () => {
    const manifest = join(dir, 'unicode-text.csv');
    await writeFile(manifest, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,message,locales\nhero,Spring Sale,ja\n', 'utf16le')]));
    const result = await runCli(['validate', manifest]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${manifest}:1:1: error: the manifest is UTF-16LE text (it starts with a UTF-16 byte order mark), not UTF-8`);
    expect(result.stderr).toContain('fix: save it as UTF-8');
    expect(result.stderr).not.toContain('missing-column');
  });
});
