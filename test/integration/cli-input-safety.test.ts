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
    expect(result.stderr).toContain("polyglyph: the model 'gpt-image-2 (eu)' (AZURE_OPENAI_MODEL / --model-name, AZURE_GPT_MODEL, or a MAI deployment's name) cannot be stored with its images (blob index tag 'model'): index tag values take only letters, digits, space and + - . / : = _ (not '(')");
    expect(result.stderr).toContain('how to fix: set AZURE_OPENAI_MODEL (--model-name) to the model the deployment serves');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
