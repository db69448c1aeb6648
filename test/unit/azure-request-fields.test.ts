import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import { apiKeyAuth } from '../../src/image-api/auth.js';
import { AzureImageClient } from '../../src/image-api/azure-image-client.js';
import type { ManifestDefaults } from '../../src/manifest/manifest-options.js';
import { validateManifest } from '../../src/manifest/validate-manifest.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { encodedImage } from '../helpers/png.js';

/** Request fields as Azure documents them, refused or warned at `validate`, before anything is paid for (issue 10, Build 2). */

const DEFAULTS: ManifestDefaults = { size: '1024x1024', quality: 'medium', format: 'png', variants: 1 };
const EDITS_URL = '/openai/deployments/gpt-image-2/images/edits?api-version=2025-04-01-preview';

let dir: string;
let api: MockImageApi | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-azure-fields-'));
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function issues(summary: Awaited<ReturnType<typeof validateManifest>>): Array<[number, string, string]> {
  return summary.issues.map((issue) => [issue.line, issue.severity, issue.code]);
}

describe('validate: what Azure takes', () => {
  it('refuses a webp row for an Azure OpenAI model, with "use jpeg" as the fix; a MAI-only webp row only warns', async () => {
    const path = await write('webp.csv', 'id,message,locales,format,model\nazure,Hi,ja,webp,gpt-image-2\nmai,Hi,ja,webp,MAI-Image-2e\njpeg,Hi,ja,jpeg,gpt-image-2\n');
    const summary = await validateManifest(path, DEFAULTS);
    expect(issues(summary)).toEqual([
      [2, 'error', 'format-not-on-azure'],
      [3, 'warning', 'format-for-model'],
    ]);
    expect(summary.issues[0]).toMatchObject({
      column: 13,
      message: expect.stringContaining('webp output is not supported on Azure OpenAI') as string,
      hint: expect.stringMatching(/^use jpeg/) as string,
    });
  });

  it('refuses --format webp when the run goes to an Azure OpenAI model', () => {
    const attempt = () => manifestDefaults(resolveConfig({}, { POLYGLYPH_FORMAT: 'webp' }), { warn: () => undefined });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/--format \/ POLYGLYPH_FORMAT: webp output is not supported on Azure OpenAI/);
  });

  it('refuses a master creative that is WEBP, not an image, or over 25 MB; takes PNG and JPEG', async () => {
    await write('master.png', await encodedImage(1024, 1024, 'png'));
    await write('master.jpg', await encodedImage(1024, 1024, 'jpeg'));
    await write('master.webp', await encodedImage(1024, 1024, 'webp'));
    await write('notes.txt', 'not an image at all');
    const big = await write('huge.png', await encodedImage(1024, 1024, 'png'));
    await truncate(big, 26 * 1024 * 1024); // sparse: size only, no 26 MB written
    const path = await write('masters.csv', 'id,message,locales,source_image\npng,Hi,ja,master.png\njpg,Hi,ja,master.jpg\nwebp,Hi,ja,master.webp\ntxt,Hi,ja,notes.txt\nhuge,Hi,ja,huge.png\n');
    const summary = await validateManifest(path, DEFAULTS);
    expect(issues(summary)).toEqual([
      [4, 'error', 'invalid-source-image'],
      [5, 'error', 'invalid-source-image'],
      [6, 'error', 'invalid-source-image'],
    ]);
    expect(summary.issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining("is WEBP; Azure's edits take PNG or JPEG"),
      expect.stringContaining('is not a PNG or JPEG image'),
      expect.stringContaining("is 26.0 MB; Azure's edits take up to 25 MB"),
    ]);
    expect(summary.issues[0]!.hint).toMatch(/PNG or JPEG master under 25 MB/);
  });

  it('warns about a literal size with a 3840-pixel edge (experimental, documents disagree), with a safe size as the fix', async () => {
    const path = await write('4k.csv', 'id,message,locales,size\nwide,Hi,ja,3840x2160\ntall,Hi,ja,2160x3840\nsafe,Hi,ja,3824x2144\n');
    const summary = await validateManifest(path, DEFAULTS);
    expect(issues(summary)).toEqual([
      [2, 'warning', 'size-experimental'],
      [3, 'warning', 'size-experimental'],
    ]);
    expect(summary.issues[0]!.hint).toMatch(/^write 3824x2144/);
    expect(summary.issues[1]!.hint).toMatch(/^write 2144x3824/);
    expect(summary.items).toBe(3);
    const warned: string[] = [];
    manifestDefaults(resolveConfig({}, { POLYGLYPH_SIZE: '3840x2160' }), { warn: (message) => warned.push(message) });
    expect(warned).toEqual([expect.stringMatching(/^warning: --size \/ POLYGLYPH_SIZE: size 3840x2160 has a 3840-pixel edge/)]);
  });
});

describe('edits: the fields Azure documents', () => {
  it('never sends moderation to the edits endpoint, which the strict stand-in refuses as an unknown parameter', async () => {
    api = createMockImageApi({ apiKey: 'k' });
    await api.listen();
    const form = new FormData();
    form.append('image', new Blob([await encodedImage(1024, 1024, 'png')], { type: 'image/png' }), 'master.png');
    form.append('prompt', 'Replace the text with 春のセール');
    form.append('moderation', 'low');
    const refused = await fetch(`${api.url}${EDITS_URL}`, { method: 'POST', headers: { 'api-key': 'k' }, body: form });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({ param: 'moderation', code: 'unknown_parameter' });

    const client = new AzureImageClient({ url: `${api.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`, bodyModel: undefined, auth: apiKeyAuth('k') });
    const source = { bytes: await encodedImage(1024, 1024, 'png'), contentType: 'image/png', filename: 'master.png' };
    const generation = await client.edit({ prompt: 'Replace the text with 春のセール', size: '1024x1024', quality: 'low', format: 'png', moderation: 'low', n: 1 }, source);
    expect(generation.images).toHaveLength(1);
    const [edit] = api.stats().requestLog.filter((entry) => entry.status === 200);
    expect(edit).toMatchObject({ operation: 'edits' });
    expect(edit!.parameters).not.toHaveProperty('moderation');
  });

  it('the strict stand-in refuses a WEBP input image and webp output, as Azure documents them', async () => {
    api = createMockImageApi({ apiKey: 'k' });
    await api.listen();
    const form = new FormData();
    form.append('image', new Blob([await encodedImage(1024, 1024, 'webp')], { type: 'image/webp' }), 'master.webp');
    form.append('prompt', 'x');
    const webpInput = await fetch(`${api.url}${EDITS_URL}`, { method: 'POST', headers: { 'api-key': 'k' }, body: form });
    expect(webpInput.status).toBe(400);
    expect(((await webpInput.json()) as { error: unknown }).error).toMatchObject({ param: 'image', code: 'invalid_image_format' });
    const webpOutput = await fetch(`${api.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`, {
      method: 'POST',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x', output_format: 'webp' }),
    });
    expect(webpOutput.status).toBe(400);
    expect(((await webpOutput.json()) as { error: unknown }).error).toMatchObject({
      param: 'output_format',
      code: 'invalid_value',
      message: "Invalid value: 'webp'. Supported values are: 'png' and 'jpeg'.",
    });
  });
});
