import { afterEach, describe, expect, it } from 'vitest';
import { mockApiSettings } from '../../src/cli/commands/mock-api.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { loadDeployments } from '../../src/deployments/deployment-spec.js';
import { AuthenticationError } from '../../src/errors/api-error.js';
import { AzureImageClient } from '../../src/image-api/azure-image-client.js';
import { createImageApi } from '../../src/image-api/create-image-api.js';
import { createMockImageApi, type MockImageApi, type MockImageApiOptions } from '../../src/mock-api/server.js';

/**
 * The stand-in as strict as Azure about names: it knows its deployments (name -> model) and refuses
 * what Azure refuses, with Azure's bodies, so a client that confuses a deployment name with a model
 * fails here as it would against Azure (issue 10).
 */

const DEPLOYMENT = 'img-prod-eastus';
const URL_OF = (deployment: string) => `/openai/deployments/${deployment}/images/generations?api-version=2025-04-01-preview`;
const V1_URL = '/openai/v1/images/generations';
const PROMPT = 'A sale banner reading 春のセール';

let api: MockImageApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: MockImageApiOptions = {}): Promise<MockImageApi> {
  api = createMockImageApi({ deployments: [{ name: DEPLOYMENT, model: 'gpt-image-2' }], apiKey: 'test-key', ...options });
  await api.listen();
  return api;
}

function post(path: string, body: Record<string, unknown>, headers: Record<string, string> = { 'api-key': 'test-key' }): Promise<Response> {
  return fetch(`${api!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ prompt: PROMPT, size: '1024x1024', quality: 'low', ...body }),
  });
}

/** A JWT-shaped token (unsigned: the stand-in reads only the audience, as it cannot check signatures). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

describe('strict stand-in: deployments and the body model', () => {
  it("answers a deployment name in the body model on a deployment URL with Azure's exact 400", async () => {
    await start();
    const response = await post(URL_OF(DEPLOYMENT), { model: DEPLOYMENT });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_value', param: 'model', type: 'image_generation_user_error', message: "The model 'img-prod-eastus' does not exist." } });
    expect(api!.stats().requestLog[0]).toMatchObject({ deployment: DEPLOYMENT, status: 400, parameters: { model: DEPLOYMENT } });
  });

  it('takes the model name, or no model at all, on a deployment URL', async () => {
    await start();
    expect((await post(URL_OF(DEPLOYMENT), { model: 'gpt-image-2' })).status).toBe(200);
    expect((await post(URL_OF(DEPLOYMENT), {})).status).toBe(200);
  });

  it('answers an unknown deployment with 404 DeploymentNotFound before reading the body', async () => {
    await start();
    const response = await post(URL_OF('gpt-image-2'), { model: 'gpt-image-2' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('DeploymentNotFound');
  });

  it('on v1 routes by the body model: the deployment name works, the base model name of a deployment named otherwise is a 404', async () => {
    await start();
    expect((await post(V1_URL, { model: DEPLOYMENT })).status).toBe(200);
    const mismatch = await post(V1_URL, { model: 'gpt-image-2' });
    expect(mismatch.status).toBe(404);
    expect(((await mismatch.json()) as { error: { code: string } }).error.code).toBe('DeploymentNotFound');
    expect(api!.stats().requestLog.map((entry) => entry.deployment)).toEqual([DEPLOYMENT, 'gpt-image-2']);
  });

  it('keeps serving a bare deployment name as the model of that name (the default gpt-image-2 deployment)', async () => {
    api = createMockImageApi();
    await api.listen();
    expect((await post(URL_OF('gpt-image-2'), { model: 'gpt-image-2' })).status).toBe(200);
  });
});

describe('strict stand-in: Entra ID', () => {
  it("refuses a wrong bearer token with Entra's {statusCode, message} body, which the client reads as an auth failure", async () => {
    await start({ bearerToken: 'good-token' });
    const refused = await post(URL_OF(DEPLOYMENT), {}, { authorization: 'Bearer bad-token' });
    expect(refused.status).toBe(401);
    const body = (await refused.json()) as { statusCode: number; message: string };
    expect(body).toEqual({ statusCode: 401, message: expect.stringMatching(/^Unauthorized\. Access token is missing, invalid, audience is incorrect/) as string });
    expect((await post(URL_OF(DEPLOYMENT), {}, { authorization: 'Bearer good-token' })).status).toBe(200);

    // Entra auth (a token provider) that hands out a token Azure does not accept.
    const wrong = new AzureImageClient({ url: `${api!.url}${URL_OF(DEPLOYMENT)}`, bodyModel: undefined, auth: () => Promise.resolve({ Authorization: 'Bearer bad-token' }) });
    const error = await wrong.generate({ prompt: PROMPT, size: '1024x1024', quality: 'low', format: 'png', n: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/Access token is missing, invalid, audience is incorrect/);
  });

  it('refuses a token for another audience even when any token would do', async () => {
    await start({ apiKey: undefined });
    const foreign = await post(URL_OF(DEPLOYMENT), {}, { authorization: `Bearer ${jwt({ aud: 'https://management.azure.com' })}` });
    expect(foreign.status).toBe(401);
    expect(await foreign.json()).toMatchObject({ statusCode: 401 });
    expect((await post(URL_OF(DEPLOYMENT), {}, { authorization: `Bearer ${jwt({ aud: 'https://cognitiveservices.azure.com' })}` })).status).toBe(200);
    expect((await post(URL_OF(DEPLOYMENT), {}, { authorization: `Bearer ${jwt({ aud: 'https://ai.azure.com/' })}` })).status).toBe(200);
  });
});

describe('the client against the strict stand-in', () => {
  it('generates on a deployment named otherwise than its model, with no body naming the deployment as model', async () => {
    await start();
    const config = resolveConfig({}, { AZURE_OPENAI_ENDPOINT: api!.url, AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT, AZURE_OPENAI_API_KEY: 'test-key' });
    const [spec] = loadDeployments(config, {});
    expect(spec).toMatchObject({ name: DEPLOYMENT, model: 'gpt-image-2', provider: 'azure-openai' });
    const client = createImageApi(spec!.api);
    const generation = await client.generate({ prompt: PROMPT, size: '1024x1024', quality: 'low', format: 'png', n: 1 });
    expect(generation.images).toHaveLength(1);
    const log = api!.stats().requestLog;
    expect(log).toHaveLength(1);
    expect(log.filter((entry) => entry.parameters.model === DEPLOYMENT)).toEqual([]);
  });

  it('on v1 sends the deployment name as the model, as the v1 surface routes by it', async () => {
    await start();
    const config = resolveConfig({}, { AZURE_OPENAI_ENDPOINT: api!.url, AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT, AZURE_OPENAI_API_KEY: 'test-key', POLYGLYPH_API_STYLE: 'v1' });
    const generation = await createImageApi(loadDeployments(config, {})[0]!.api).generate({ prompt: PROMPT, size: '1024x1024', quality: 'low', format: 'png', n: 1 });
    expect(generation.images).toHaveLength(1);
    expect(api!.stats().requestLog[0]).toMatchObject({ deployment: DEPLOYMENT, status: 200, parameters: { model: DEPLOYMENT } });
  });

  it("with the seed sample's variables (a full deployment URL and AZURE_GPT_MODEL) names the deployment from the URL", async () => {
    await start();
    const config = resolveConfig({}, { AZURE_GPT_ENDPOINT: `${api!.url}${URL_OF(DEPLOYMENT)}`, AZURE_GPT_MODEL: 'gpt-image-2', AZURE_OPENAI_API_KEY: 'test-key' });
    const [spec] = loadDeployments(config, {});
    expect(spec).toMatchObject({ name: DEPLOYMENT, model: 'gpt-image-2' });
    await createImageApi(spec!.api).generate({ prompt: PROMPT, size: '1024x1024', quality: 'low', format: 'png', n: 1 });
    expect(api!.stats().requestLog[0]).toMatchObject({ deployment: DEPLOYMENT, status: 200 });
    expect(api!.stats().requestLog[0]!.parameters.model).toBeUndefined();
  });
});

describe('polyglyph mock-api: the deployment registry on the command line', () => {
  it('takes NAME=MODEL entries, repeatable --deployment flags replacing the default list', () => {
    expect(mockApiSettings({ deployment: ['img-prod-eastus=gpt-image-2', 'mai-prod=MAI-Image-2e'] }, {}).api.deployments).toEqual([
      { name: 'img-prod-eastus', model: 'gpt-image-2' },
      { name: 'mai-prod', model: 'MAI-Image-2e' },
    ]);
    expect(mockApiSettings({ deployments: 'gpt-image-2,img-eu=gpt-image-2' }, {}).api.deployments).toEqual(['gpt-image-2', { name: 'img-eu', model: 'gpt-image-2' }]);
    expect(mockApiSettings({ deployment: ['img-eu=gpt-image-2'] }, { POLYGLYPH_MOCK_DEPLOYMENTS: 'gpt-image-2' }).api.deployments).toEqual(['gpt-image-2', { name: 'img-eu', model: 'gpt-image-2' }]);
    expect(() => mockApiSettings({ deployment: ['a=b=c'] }, {})).toThrow(/--deployment: expected comma-separated deployments/);
    expect(() => mockApiSettings({ deployments: 'a,a=gpt-image-2' }, {})).toThrow(/listed twice/);
    expect(() => mockApiSettings({ deployments: 'a', deployment: ['a=gpt-image-2'] }, {})).toThrow(/--deployments and --deployment: expected each deployment name once, got 'a' in both/);
  });
});
