import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { deploymentInUrl, deploymentModel } from '../../src/deployments/deployment-model.js';
import { loadDeployments } from '../../src/deployments/deployment-spec.js';

/** A deployment's name (URL, pool member, report) and the model it serves (sizes, prices, metadata) are two things. */
describe('deployment name and model', () => {
  it("a deployment named otherwise serves gpt-image-2 unless configured; AZURE_OPENAI_MODEL and the seed's AZURE_GPT_MODEL say otherwise", () => {
    const load = (env: Record<string, string>) => loadDeployments(resolveConfig({}, { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', ...env }), {})[0]!;
    expect(load({ AZURE_OPENAI_DEPLOYMENT: 'img-prod-eastus' })).toMatchObject({ name: 'img-prod-eastus', model: 'gpt-image-2', provider: 'azure-openai', api: { deployment: 'img-prod-eastus' } });
    expect(load({ AZURE_OPENAI_DEPLOYMENT: 'img-prod-eastus', AZURE_OPENAI_MODEL: 'gpt-image-1.5' })).toMatchObject({ name: 'img-prod-eastus', model: 'gpt-image-1.5' });
    expect(load({ AZURE_OPENAI_DEPLOYMENT: 'img-prod-eastus', AZURE_GPT_MODEL: 'gpt-image-1' })).toMatchObject({ name: 'img-prod-eastus', model: 'gpt-image-1' });
    expect(load({ AZURE_OPENAI_DEPLOYMENT: 'img', AZURE_GPT_MODEL: 'gpt-image-1', AZURE_OPENAI_MODEL: 'gpt-image-2' }).model).toBe('gpt-image-2');
    expect(loadDeployments(resolveConfig({ model: 'gpt-image-1-mini' }, { AZURE_OPENAI_MODEL: 'gpt-image-2' }), {})[0]!.model).toBe('gpt-image-1-mini');
    // Deployments named like their model serve it, as before.
    expect(load({})).toMatchObject({ name: 'gpt-image-2', model: 'gpt-image-2' });
    expect(load({ AZURE_OPENAI_DEPLOYMENT: 'MAI-Image-2e' })).toMatchObject({ name: 'MAI-Image-2e', model: 'MAI-Image-2e', provider: 'mai' });
  });

  it('takes the deployment name from a full deployment-style AZURE_GPT_ENDPOINT (the seed sample)', () => {
    const config = resolveConfig(
      {},
      { AZURE_GPT_ENDPOINT: 'https://r.openai.azure.com/openai/deployments/img-prod-eastus/images/generations?api-version=2025-04-01-preview', AZURE_GPT_MODEL: 'gpt-image-2' },
    );
    expect(loadDeployments(config, {})[0]).toMatchObject({ name: 'img-prod-eastus', model: 'gpt-image-2', api: { deployment: 'img-prod-eastus' } });
    expect(deploymentInUrl('https://r.openai.azure.com/openai/v1/images/generations')).toBeUndefined();
    expect(deploymentInUrl('https://r.openai.azure.com/openai/deployments/img%20eu/images/edits')).toBe('img eu');
    expect(deploymentInUrl('not a url')).toBeUndefined();
  });

  it('a deployments-file entry without a model serves gpt-image-2, not its deployment name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-deployments-'));
    const file = join(dir, 'd.json');
    await writeFile(
      file,
      JSON.stringify({
        deployments: [
          { name: 'eastus', endpoint: 'https://a.openai.azure.com', deployment: 'img-prod-eastus', imagesPerMinute: 6, apiKey: 'k' },
          { name: 'mai', endpoint: 'https://b.services.ai.azure.com', deployment: 'MAI-Image-2e', imagesPerMinute: 2, apiKey: 'k' },
          {
            name: 'full',
            gptEndpoint: 'https://c.openai.azure.com/openai/deployments/img-c/images/generations?api-version=2025-04-01-preview',
            model: 'gpt-image-1.5',
            imagesPerMinute: 6,
            apiKey: 'k',
          },
        ],
      }),
    );
    const specs = loadDeployments(resolveConfig({}, { POLYGLYPH_DEPLOYMENTS_FILE: file }), {});
    expect(specs.map((spec) => [spec.name, spec.api.deployment, spec.model, spec.provider])).toEqual([
      ['eastus', 'img-prod-eastus', 'gpt-image-2', 'azure-openai'],
      ['mai', 'MAI-Image-2e', 'MAI-Image-2e', 'mai'],
      ['full', 'img-c', 'gpt-image-1.5', 'azure-openai'],
    ]);
  });

  it('deploymentModel: configured wins; a model-like name is its own model; anything else is gpt-image-2', () => {
    expect(deploymentModel('anything', 'gpt-image-1')).toBe('gpt-image-1');
    expect(deploymentModel('GPT-IMAGE-1.5')).toBe('gpt-image-1.5');
    expect(deploymentModel('mai-image-2')).toBe('mai-image-2');
    expect(deploymentModel('gpt-image-2-eastus')).toBe('gpt-image-2');
  });
});
