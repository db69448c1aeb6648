import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addSettings, settingFlags } from '../../src/cli/settings-options.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import { resolveEndpoint } from '../../src/image-api/endpoint.js';

const base = { deployment: 'gpt-image-2', apiVersion: '2025-04-01-preview', apiStyle: 'deployment' as const };

describe('resolveEndpoint', () => {
  it('builds the deployment-style URL with api-version and the cognitiveservices scope', () => {
    expect(resolveEndpoint({ ...base, endpoint: 'https://res.openai.azure.com/' })).toEqual({
      url: 'https://res.openai.azure.com/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview',
      style: 'deployment',
      bodyModel: undefined,
      scope: 'https://cognitiveservices.azure.com/.default',
    });
  });
  it('builds the v1 URL without doubling a pasted /openai/v1 suffix, with the ai.azure.com scope', () => {
    const resolved = resolveEndpoint({ ...base, apiStyle: 'v1', endpoint: 'https://res.services.ai.azure.com/openai/v1' });
    expect(resolved.url).toBe('https://res.services.ai.azure.com/openai/v1/images/generations');
    expect(resolved.scope).toBe('https://ai.azure.com/.default');
  });
  it('uses AZURE_GPT_ENDPOINT as given: the deployment name as the body model on v1, no body model on a deployment URL', () => {
    const url = 'https://x.openai.azure.com/openai/v1/images/generations';
    expect(resolveEndpoint({ ...base, deployment: 'img-prod-eastus', gptEndpoint: url })).toMatchObject({ url, bodyModel: 'img-prod-eastus', style: 'v1' });
    const dated = 'https://x.openai.azure.com/openai/deployments/img-prod-eastus/images/generations?api-version=2025-04-01-preview';
    expect(resolveEndpoint({ ...base, gptEndpoint: dated })).toMatchObject({ url: dated, bodyModel: undefined, style: 'deployment' });
  });
  it('never puts the deployment name in the body on deployment-style URLs; v1 routes by it', () => {
    const settings = { ...base, deployment: 'img-prod-eastus', endpoint: 'https://res.openai.azure.com' };
    expect(resolveEndpoint(settings)).toMatchObject({ url: 'https://res.openai.azure.com/openai/deployments/img-prod-eastus/images/generations?api-version=2025-04-01-preview', bodyModel: undefined });
    expect(resolveEndpoint({ ...settings, apiStyle: 'v1' })).toMatchObject({ url: 'https://res.openai.azure.com/openai/v1/images/generations', bodyModel: 'img-prod-eastus' });
  });
  it('lets the scope be overridden', () => {
    expect(resolveEndpoint({ ...base, endpoint: 'https://r.openai.azure.com', entraScope: 'api://custom/.default' }).scope).toBe('api://custom/.default');
  });
  it('says what to set when nothing is configured', () => {
    expect(() => resolveEndpoint(base)).toThrow(/AZURE_OPENAI_ENDPOINT/);
  });
});

describe('resolveConfig', () => {
  it('applies flag > environment > default', () => {
    const env = { POLYGLYPH_IMAGES_PER_MINUTE: '12', REDIS_URL: 'redis://env:6379', POLYGLYPH_CONTAINER: '  ' };
    const config = resolveConfig({ redisUrl: 'redis://flag:6379' }, env);
    expect(config.redisUrl).toBe('redis://flag:6379');
    expect(config.imagesPerMinute).toBe(12);
    expect(config.container).toBe('localized-assets'); // blank env counts as unset
    expect(config.requestTimeoutMs).toBe(600_000);
  });
  it('reports every bad value at once as "expected X, got Y", never echoing secrets', () => {
    let error: unknown;
    try {
      resolveConfig({ concurrency: 'many' }, { POLYGLYPH_IMAGES_PER_MINUTE: '-3', POLYGLYPH_QUALITY: 'ultra', AZURE_OPENAI_ENDPOINT: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("--concurrency: expected a positive integer, got 'many'");
    expect(message).toContain("POLYGLYPH_IMAGES_PER_MINUTE (--images-per-minute): expected a positive integer, got '-3'");
    expect(message).toContain("POLYGLYPH_QUALITY (--quality): expected low, medium, high, auto, got 'ultra'");
    expect(message).toContain('AZURE_OPENAI_ENDPOINT');
  });
});

describe('settingFlags', () => {
  it('reads every setting from the option commander parsed for its flag, including flags not named like the setting', () => {
    const command = addSettings(new Command('x').exitOverride(), ['queueName', 'imagesPerMinute', 'dashboardPort', 'dashboardHost', 'dashboardToken']);
    command.parse(['--queue', 'nightly', '--images-per-minute', '12', '--port', '0', '--host', '0.0.0.0', '--token', 'a-token-of-16-chars'], { from: 'user' });
    const config = resolveConfig(settingFlags(command.opts(), ['queueName', 'imagesPerMinute', 'dashboardPort', 'dashboardHost', 'dashboardToken']), {});
    expect(config).toMatchObject({ queueName: 'nightly', imagesPerMinute: 12, dashboardPort: 0, dashboardHost: '0.0.0.0', dashboardToken: 'a-token-of-16-chars' });
  });
});
