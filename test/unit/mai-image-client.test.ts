import { imageSize } from 'image-size';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
} from '../../src/errors/api-error.js';
import { breakerEffect, errorCode, isRetryable } from '../../src/errors/retry-policy.js';
import { apiKeyAuth, type AuthHeaders } from '../../src/image-api/auth.js';
import { AzureImageClient, ImageMismatchError } from '../../src/image-api/azure-image-client.js';
import { createProviderImageApi } from '../../src/image-api/create-provider-api.js';
import { resolveMaiEndpoint } from '../../src/image-api/mai-endpoint.js';
import { MaiImageClient } from '../../src/image-api/mai-image-client.js';
import { partialGeneration } from '../../src/image-api/partial-generation.js';
import { providerForModel } from '../../src/image-api/provider.js';
import type { ImageRequest } from '../../src/image-api/types.js';
import type { ManifestItem } from '../../src/manifest/manifest-item.js';
import { createMockImageApi, type MockImageApi, type MockImageApiOptions } from '../../src/mock-api/server.js';
import { modelItemJobs } from '../../src/queue/model-jobs.js';
import { replayFetch } from '../helpers/replay-fetch.js';

const MAI_PATH = '/mai/v1/images/generations';
const request: ImageRequest = { prompt: 'A banner reading "春のセール"', size: '1024x1024', quality: 'medium', format: 'png', n: 1 };

let api: MockImageApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: MockImageApiOptions = {}): Promise<MockImageApi> {
  api = createMockImageApi({ deployments: ['gpt-image-2', 'MAI-Image-2e'], ...options });
  await api.listen();
  return api;
}

function client(options: { model?: string; auth?: AuthHeaders; timeoutMs?: number } = {}): MaiImageClient {
  return new MaiImageClient({ url: `${api!.url}${MAI_PATH}`, bodyModel: options.model ?? 'MAI-Image-2e', auth: options.auth ?? apiKeyAuth('test-key'), timeoutMs: options.timeoutMs ?? 5_000 });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('MAI client against the stand-in', () => {
  it("sends MAI's own body (model, prompt, width, height) to /mai/v1/images/generations and verifies the PNG", async () => {
    await start();
    const generation = await client().generate({ ...request, size: '1360x768' });
    expect(generation.images).toHaveLength(1);
    expect(generation.images[0]).toMatchObject({ format: 'png', width: 1360, height: 768 });
    expect(imageSize(generation.images[0]!.bytes)).toMatchObject({ type: 'png', width: 1360, height: 768 });
    expect(generation.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // MAI reports usage in its own names; the client maps them.
    expect(generation.usage).toMatchObject({ inputTokens: expect.any(Number) as number, outputTokens: Math.round((1360 * 768) / 1024) });
    const [logged] = api!.stats().requestLog;
    expect(logged).toMatchObject({ deployment: 'MAI-Image-2e', status: 200, size: '1360x768', prompt: request.prompt });
    // Exactly MAI's fields: no size string, no n, quality, output_format or other OpenAI parameters.
    expect(logged!.parameters).toEqual({ model: 'MAI-Image-2e', width: 1360, height: 768 });
  });

  it('asks for n images with n single-image requests (MAI documents no n)', async () => {
    await start();
    const generation = await client().generate({ ...request, n: 3 });
    expect(generation.images.map((image) => `${image.width}x${image.height} ${image.format}`)).toEqual(['1024x1024 png', '1024x1024 png', '1024x1024 png']);
    const log = api!.stats().requestLog;
    expect(log).toHaveLength(3);
    expect(log.every((entry) => entry.n === 1 && !('n' in entry.parameters))).toBe(true);
    expect(api!.stats().imagesGenerated).toBe(3);
  });

  it('refuses before sending what MAI cannot deliver: formats other than PNG and sizes outside its limits', async () => {
    await start();
    const jpeg = await failure(client().generate({ ...request, format: 'jpeg' }));
    expect(jpeg).toBeInstanceOf(BadRequestError);
    expect(errorCode(jpeg)).toBe('unsupported_format');
    expect(isRetryable(jpeg)).toBe(false);
    const big = await failure(client().generate({ ...request, size: '1536x1024' }));
    expect(errorCode(big)).toBe('invalid_size');
    expect(api!.stats().requests).toBe(0);
  });

  it("maps the stand-in's refusals to the typed errors and the retry policy, as for Azure OpenAI", async () => {
    await start({ apiKey: 'the-key' });
    const cases: Array<[() => Promise<unknown>, new (...args: never[]) => Error, boolean]> = [
      [() => client({ auth: apiKeyAuth('wrong') }).generate(request), AuthenticationError, false],
      [() => client({ auth: apiKeyAuth('the-key'), model: 'MAI-Image-9' }).generate(request), NotFoundError, false],
      [() => client({ auth: apiKeyAuth('the-key') }).generate({ ...request, prompt: 'a [blocked] poster' }), ContentPolicyError, false],
    ];
    for (const [call, type, retryable] of cases) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(type);
      expect(isRetryable(error)).toBe(retryable);
    }
    const filtered = await failure(client({ auth: apiKeyAuth('the-key') }).generate({ ...request, prompt: 'a [blocked] poster' }));
    expect(errorCode(filtered)).toBe('content_filter');
    expect(breakerEffect(await failure(client({ auth: apiKeyAuth('wrong') }).generate(request)))).toBe('trip');
  });

  it('maps faults: 429 with its retry-after, 5xx, 403, malformed bodies and mismatched images', async () => {
    await start();
    api!.injectFaults(['rate-limit', 'server-error', 'blocked-resource', 'malformed', 'wrong-size', 'wrong-format', 'content-filter']);
    const limited = await failure(client().generate(request));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(1000);
    expect(await failure(client().generate(request))).toBeInstanceOf(InternalServerError);
    expect(await failure(client().generate(request))).toBeInstanceOf(PermissionDeniedError);
    const malformed = await failure(client().generate(request));
    expect(malformed).toBeInstanceOf(InvalidResponseError);
    expect(isRetryable(malformed)).toBe(true);
    const wrongSize = await failure(client().generate(request));
    expect(wrongSize).toBeInstanceOf(ImageMismatchError);
    expect(isRetryable(wrongSize)).toBe(false);
    expect(errorCode(await failure(client().generate(request)))).toBe('image_mismatch');
    expect(await failure(client().generate(request))).toBeInstanceOf(ContentPolicyError);
  });

  it('refuses what MAI refuses: the OpenAI body shape, missing fields, sizes outside its rules', async () => {
    await start();
    const post = (body: unknown): Promise<Response> => fetch(`${api!.url}${MAI_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', 'api-key': 'k' }, body: JSON.stringify(body) });
    const refusals: Array<[unknown, number, string]> = [
      [{ model: 'MAI-Image-2e', prompt: 'x', size: '1024x1024' }, 400, 'unknown_parameter'],
      [{ model: 'MAI-Image-2e', prompt: 'x', width: 1024, height: 1024, n: 2 }, 400, 'unknown_parameter'],
      [{ prompt: 'x', width: 1024, height: 1024 }, 400, 'missing_required_parameter'],
      [{ model: 'MAI-Image-2e', prompt: 'x', width: 1024 }, 400, 'missing_required_parameter'],
      [{ model: 'MAI-Image-2e', prompt: 'x', width: 640, height: 1024 }, 400, 'invalid_value'],
      [{ model: 'MAI-Image-2e', prompt: 'x', width: 1152, height: 1152 }, 400, 'invalid_value'],
      [{ model: 'MAI-Image-2e', prompt: 'x', width: 1000, height: 1000 }, 400, 'invalid_value'],
      [{ model: 'MAI-Image-2e', prompt: '', width: 1024, height: 1024 }, 400, 'invalid_type'],
      [{ model: 'no-such-deployment', prompt: 'x', width: 1024, height: 1024 }, 404, 'DeploymentNotFound'],
    ];
    for (const [body, status, code] of refusals) {
      const response = await post(body);
      expect({ body, status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code }).toEqual({ body, status, code });
    }
    const unauthenticated = await fetch(`${api!.url}${MAI_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthenticated.status).toBe(401);
  });

  it('keeps the images delivered before a failure on the error, so the job can stage them', async () => {
    await start();
    // The second request of three fails: one image was delivered (and paid for) before it.
    let calls = 0;
    const failing: typeof fetch = (input, init) =>
      ++calls === 2 ? Promise.resolve(new Response(JSON.stringify({ error: { code: 'InternalServerError', message: 'boom' } }), { status: 500 })) : fetch(input, init);
    const error = await failure(new MaiImageClient({ url: `${api!.url}${MAI_PATH}`, bodyModel: 'MAI-Image-2e', auth: apiKeyAuth('k'), fetch: failing }).generate({ ...request, n: 3 }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(partialGeneration(error)?.images).toHaveLength(1);
    expect(partialGeneration(new Error('other'))).toBeUndefined();
  });

  it('turns network failures and timeouts into retryable connection errors', async () => {
    const replay = replayFetch([{ networkError: 'ECONNRESET' }]);
    const error = await failure(
      new MaiImageClient({ url: 'https://res.services.ai.azure.com/mai/v1/images/generations', bodyModel: 'm', auth: apiKeyAuth('k'), fetch: replay.fetch }).generate(request),
    );
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(isRetryable(error)).toBe(true);
    await start({ faultRates: { hang: 1 } });
    const timedOut = await failure(client({ timeoutMs: 200 }).generate(request));
    expect(timedOut).toBeInstanceOf(APIConnectionError);
    expect(isRetryable(timedOut)).toBe(true);
  });
});

describe('MAI endpoint and provider selection', () => {
  const settings = { deployment: 'MAI-Image-2e', apiVersion: '2025-04-01-preview', apiStyle: 'deployment' as const, requestTimeoutMs: 1000 };

  it('builds {resource}/mai/v1/images/generations from whatever form of the endpoint was pasted', () => {
    for (const endpoint of [
      'https://res.services.ai.azure.com',
      'https://res.services.ai.azure.com/',
      'https://res.services.ai.azure.com/openai/v1',
      'https://res.services.ai.azure.com/mai/v1/images/generations',
    ]) {
      expect(resolveMaiEndpoint({ ...settings, endpoint })).toEqual({
        url: 'https://res.services.ai.azure.com/mai/v1/images/generations',
        bodyModel: 'MAI-Image-2e',
        scope: 'https://cognitiveservices.azure.com/.default',
      });
    }
    expect(resolveMaiEndpoint({ ...settings, gptEndpoint: 'https://x.example/mai/v1/images/generations?api-version=preview' }).url).toBe(
      'https://x.example/mai/v1/images/generations?api-version=preview',
    );
    expect(resolveMaiEndpoint({ ...settings, endpoint: 'https://r.example', entraScope: 'https://ai.azure.com/.default' }).scope).toBe('https://ai.azure.com/.default');
  });

  it('picks MAI for MAI-... models (any case) unless a provider is forced, and builds the matching client', () => {
    expect(['MAI-Image-2', 'mai-image-2e', 'gpt-image-2', 'my-mai-deployment'].map((model) => providerForModel(model))).toEqual(['mai', 'mai', 'azure-openai', 'azure-openai']);
    expect(providerForModel('my-mai-deployment', 'mai')).toBe('mai');
    expect(providerForModel('MAI-Image-2', 'azure-openai')).toBe('azure-openai');
    expect(createProviderImageApi('mai', { ...settings, endpoint: 'https://r.example', apiKey: 'k' })).toBeInstanceOf(MaiImageClient);
    expect(createProviderImageApi('azure-openai', { ...settings, endpoint: 'https://r.example', apiKey: 'k' })).toBeInstanceOf(AzureImageClient);
  });
});

describe('a manifest row for two models', () => {
  const item: ManifestItem = {
    line: 2,
    id: 'hero',
    message: 'Spring Sale',
    locales: ['ja', 'ko'],
    texts: {},
    prompt: '',
    size: '1536x1024',
    requestedSize: '1536x1024',
    quality: 'high',
    format: 'jpeg',
    compression: 80,
    background: 'opaque',
    variants: 2,
    campaign: 'spring',
    models: ['gpt-image-2', 'MAI-Image-2e'],
  };
  const context = { runId: 'run-1', manifest: 'm.csv', model: 'gpt-image-2', attempts: 1, backoffMs: 10 };

  it('becomes one job per (message, locale, model), each request as its model takes it, both accepted by the stand-in', async () => {
    await start();
    const jobs = modelItemJobs(item, context);
    expect(jobs.map((job) => `${job.data.model} ${job.data.locale}`)).toEqual(['gpt-image-2 ja', 'gpt-image-2 ko', 'MAI-Image-2e ja', 'MAI-Image-2e ko']);
    expect(new Set(jobs.map((job) => job.opts.jobId)).size).toBe(4);
    const [gpt, , mai] = jobs;
    expect(gpt!.data.request).toMatchObject({ size: '1536x1024', format: 'jpeg', outputCompression: 80, background: 'opaque', n: 2 });
    // 1536x1024 is 3:2 with 1,572,864 pixels: MAI gets the nearest 3:2 size within its 1,048,576.
    expect(mai!.data.request).toMatchObject({ size: '1248x832', format: 'png', n: 2 });
    expect(mai!.data.request.outputCompression).toBeUndefined();
    expect(mai!.data.request.background).toBeUndefined();
    expect(mai!.data).toMatchObject({ requestedSize: '1536x1024', modelInBlobName: true });
    const generation = await client().generate(mai!.data.request);
    expect(generation.images.map((image) => `${image.width}x${image.height} ${image.format}`)).toEqual(['1248x832 png', '1248x832 png']);
  });

  it('keeps the jobs of a row that names no model exactly as before (no model folder, same hash)', () => {
    const { models: _models, ...legacy } = item;
    const [job] = modelItemJobs(legacy, context);
    expect(job!.data.modelInBlobName).toBeUndefined();
    expect(job!.data.request).toMatchObject({ size: '1536x1024', format: 'jpeg' });
    // The hash this row had before models could be named (computed at that commit): its images are found, not paid again.
    expect(job!.data.inputSha256).toBe('95d177ebd39d463f0ba379554e0cfbb11d850f1a31fbca28c2b625f53c60efe3');
  });
});
