import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { loadDeployments } from '../../src/deployments/deployment-spec.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import type { ManifestItem } from '../../src/manifest/manifest-item.js';
import { validateManifest } from '../../src/manifest/validate-manifest.js';
import { itemJobs } from '../../src/queue/item-jobs.js';
import { blobFieldsProblem } from '../../src/storage/image-blob-fields.js';
import { caught } from '../helpers/caught.js';

const config = (env: Record<string, string>) => resolveConfig({}, { AZURE_OPENAI_ENDPOINT: 'https://example.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', ...env });
const DEFAULTS = { size: '1024x1024', quality: 'medium', format: 'png', variants: 1 } as const;

describe('names Azure storage would refuse are refused before any request (issue 13, defect 2)', () => {
  it.each([
    ['img@eu', 'img@eu'],
    ['gpt-image-2 (eu)', 'gpt-image-2 (eu)'],
    ['画像', '画像'],
    ['of 257 characters', 'x'.repeat(257)],
  ])('a model named %s (stored as a blob index tag) stops validate and start-up with the fix', (_label, name) => {
    const error = caught(() => loadDeployments(config({ AZURE_OPENAI_MODEL: name })));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/AZURE_OPENAI_MODEL.*blob index tag 'model'/);
    expect((error as ConfigError).hint).toContain('set AZURE_OPENAI_MODEL (--model-name) to the model the deployment serves');
    // Everything that loads the deployments refuses it: validate, enqueue and run go through manifestDefaults.
    expect(caught(() => manifestDefaults(config({ AZURE_OPENAI_MODEL: name }), { warn: () => undefined }))).toBeInstanceOf(ConfigError);
  });

  it('a deployment name is stored as metadata only: img@eu is fine, a non-ASCII one is refused with the fix', () => {
    expect(loadDeployments(config({ AZURE_OPENAI_DEPLOYMENT: 'img@eu' })).map((spec) => [spec.name, spec.model])).toEqual([['img@eu', 'gpt-image-2']]);
    const error = caught(() => loadDeployments(config({ AZURE_OPENAI_DEPLOYMENT: '画像-eu' }))) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(
      "AZURE_OPENAI_DEPLOYMENT / --deployment: the deployment name '画像-eu' cannot be stored with its images (blob metadata 'deployment'): metadata values must be printable ASCII",
    );
    expect(error.hint).toContain('deployments file');
  });

  it('in a deployments file, the Azure deployment name may be anything; the stored model and name may not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-names-'));
    const file = (deployments: unknown[]) => {
      const path = join(dir, `d${Math.random().toString(36).slice(2)}.json`);
      return writeFile(path, JSON.stringify({ deployments })).then(() => path);
    };
    const fine = await file([{ name: 'eu', endpoint: 'https://eu.openai.azure.com', deployment: 'img@eu', model: 'gpt-image-2', imagesPerMinute: 5 }]);
    expect(loadDeployments(config({ POLYGLYPH_DEPLOYMENTS_FILE: fine })).map((spec) => [spec.name, spec.model, spec.api.deployment])).toEqual([['eu', 'gpt-image-2', 'img@eu']]);
    const badModel = await file([{ name: 'eu', endpoint: 'https://eu.openai.azure.com', model: 'gpt-image-2 (eu)', imagesPerMinute: 5 }]);
    const error = caught(() => loadDeployments(config({ POLYGLYPH_DEPLOYMENTS_FILE: badModel }))) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`${badModel}: the model 'gpt-image-2 (eu)' of deployment 'eu' cannot be stored with its images`);
    expect(error.message).toContain("not '('");
    // A MAI deployment's name is its model: the tag rule applies to it.
    const mai = await file([{ name: 'mai', endpoint: 'https://eu.services.ai.azure.com', deployment: 'MAI-Image-2e (eu)', imagesPerMinute: 5 }]);
    expect(caught(() => loadDeployments(config({ POLYGLYPH_DEPLOYMENTS_FILE: mai })))).toBeInstanceOf(ConfigError);
  });

  it.each([
    ['a campaign cell of dots', 'id,message,locales,campaign\nhero,Hi,ja,..\n', 'm.csv', 2, 12, "the campaign '..' has no letter or digit"],
    ['a campaign cell of underscores', 'id,message,locales,campaign\nhero,Hi,ja,_\n', 'm.csv', 2, 12, "the campaign '_' has no letter or digit"],
    ['a campaign cell of -.-', 'id,message,locales,campaign\nhero,Hi,ja,-.-\n', 'm.csv', 2, 12, "the campaign '-.-' has no letter or digit"],
    ['a manifest file named __.csv', 'id,message,locales\nhero,Hi,ja\n', '__.csv', 2, 1, "the campaign '__' (from the manifest's file name) has no letter or digit"],
  ])('validate refuses %s with line and column', async (_what, text, name, line, column, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-campaign-'));
    await writeFile(join(dir, name), text);
    const summary = await validateManifest(join(dir, name), DEFAULTS);
    expect(summary.errors).toBe(1);
    expect(summary.issues[0]).toMatchObject({ line, column, code: 'invalid-campaign' });
    expect(summary.issues[0]!.message).toContain(message);
  });

  it('a --campaign without a letter or digit is a configuration error; a campaign with one is fine', async () => {
    expect(caught(() => manifestDefaults(config({ POLYGLYPH_CAMPAIGN: '..' }), { warn: () => undefined }))).toBeInstanceOf(ConfigError);
    const dir = await mkdtemp(join(tmpdir(), 'pg-campaign-'));
    await writeFile(join(dir, '_spring.csv'), 'id,message,locales,campaign\nhero,Hi,ja,\nsale,Sale,ko,_a.\n');
    expect((await validateManifest(join(dir, '_spring.csv'), DEFAULTS)).errors).toBe(0);
  });

  it('the worker finds a job it could not store before paying for it', () => {
    const item: ManifestItem = {
      line: 2,
      id: 'hero',
      message: 'Hi',
      locales: ['ja'],
      texts: {},
      prompt: '',
      size: '1024x1024',
      requestedSize: '1024x1024',
      quality: 'medium',
      format: 'png',
      variants: 2,
      campaign: 'spring',
    };
    const context = { runId: 'r1', manifest: 'm.csv', model: 'gpt-image-2', attempts: 1, backoffMs: 0 };
    const [good] = itemJobs(item, context);
    expect(blobFieldsProblem(good!.data, ['gpt-image-2'])).toBeUndefined();
    expect(blobFieldsProblem(good!.data, ['画像'])).toMatch(/ASCII/);
    const [badModel] = itemJobs(item, { ...context, model: 'img@eu' });
    expect(blobFieldsProblem(badModel!.data, ['eu'])).toMatch(/index tag 'model'/);
    const [badCampaign] = itemJobs({ ...item, campaign: '__' }, context);
    expect(blobFieldsProblem(badCampaign!.data, ['gpt-image-2'])).toMatch(/blob name/);
  });
});
