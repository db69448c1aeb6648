import { imageSize } from 'image-size';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { encodedImage } from '../helpers/png.js';
import { mockApiCommand, mockApiSettings } from '../../src/cli/commands/mock-api.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import { errorCode, isRetryable } from '../../src/errors/retry-policy.js';
import { apiKeyAuth } from '../../src/image-api/auth.js';
import { AzureImageClient } from '../../src/image-api/azure-image-client.js';
import { resolveSize } from '../../src/images/resolve-size.js';
import type { ManifestItem } from '../../src/manifest/manifest-item.js';
import { itemJobs } from '../../src/queue/item-jobs.js';
import { createMockImageApi, type MockImageApi, type MockImageApiOptions } from '../../src/mock-api/server.js';

const DEPLOYMENT_URL = '/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview';
const V1_URL = '/openai/v1/images/generations';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ErrorBody {
  error: { code?: string | null; message: string; param?: string | null; type?: string; inner_error?: { code: string; content_filter_results: Record<string, { filtered: boolean }> } };
}
interface SuccessBody {
  created: number;
  data: Array<{ b64_json: string; content_filter_results: unknown }>;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
}

let api: MockImageApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: MockImageApiOptions = {}): Promise<MockImageApi> {
  api = createMockImageApi(options);
  await api.listen();
  return api;
}

function post(path: string, body: unknown, headers: Record<string, string> = { 'api-key': 'test-key' }, signal?: AbortSignal): Promise<Response> {
  if (!api) throw new Error('start() first');
  return fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

async function generate(body: Record<string, unknown>, path = DEPLOYMENT_URL): Promise<Response> {
  return post(path, { prompt: 'A sale banner reading 春のセール', ...body });
}

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  return ((await response.json()) as ErrorBody).error;
}

async function imagesOf(response: Response): Promise<Array<ReturnType<typeof imageSize> & { bytes: Buffer }>> {
  const body = (await response.json()) as SuccessBody;
  return body.data.map((item) => {
    const bytes = Buffer.from(item.b64_json, 'base64');
    return { ...imageSize(bytes), bytes };
  });
}

describe('stand-in image API: generations', () => {
  it('answers a deployment-style request with n real images of the asked size and format', async () => {
    await start();
    const response = await generate({ n: 2, size: '1536x1024', quality: 'low', output_format: 'jpeg', output_compression: 80 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('apim-request-id')).toMatch(UUID);
    expect(response.headers.get('x-request-id')).toBe(response.headers.get('apim-request-id'));
    const body = (await response.clone().json()) as SuccessBody;
    // low quality: 272 tokens per 1024x1024, scaled by 1536x1024 / 1024x1024 = 1.5, times two images
    expect(body.usage.output_tokens).toBe(816);
    expect(body.usage.total_tokens).toBe(body.usage.input_tokens + 816);
    expect(body.data[0]?.content_filter_results).toMatchObject({ violence: { filtered: false } });
    const images = await imagesOf(response);
    expect(images.map(({ type, width, height }) => ({ type, width, height }))).toEqual([
      { type: 'jpg', width: 1536, height: 1024 },
      { type: 'jpg', width: 1536, height: 1024 },
    ]);
    // Variants of one prompt are different images.
    expect(images[0]?.bytes.equals(images[1]?.bytes ?? Buffer.alloc(0))).toBe(false);
  });

  it('answers a v1 request, where the body names the deployment', async () => {
    await start();
    const response = await generate({ model: 'gpt-image-2', size: '1024x1536', output_format: 'jpeg' }, V1_URL);
    expect(response.status).toBe(200);
    const [image] = await imagesOf(response);
    expect(image).toMatchObject({ type: 'jpg', width: 1024, height: 1536 });
  });

  it('makes size auto a 1024x1024 PNG and gives a transparent background an alpha channel', async () => {
    await start();
    const [auto] = await imagesOf(await generate({}));
    expect(auto).toMatchObject({ type: 'png', width: 1024, height: 1024 });
    const [transparent] = await imagesOf(await generate({ background: 'transparent' }));
    expect((await sharp(transparent?.bytes).metadata()).hasAlpha).toBe(true);
  });

  it('accepts the edges of the size rules: a 3:1 ratio and a 3840-pixel edge', async () => {
    await start();
    const [image] = await imagesOf(await generate({ size: '3840x1280' }));
    expect(image).toMatchObject({ width: 3840, height: 1280 });
  });

  it('serves more than ten requests in flight without a MaxListenersExceededWarning', async () => {
    await start({ latencyMs: 300 });
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, () => generate({ size: '1024x1024', quality: 'low', output_format: 'jpeg' })));
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 12 }, () => 200));
      // Node emits process warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('accepts a bearer token when no key is configured', async () => {
    await start();
    const response = await post(DEPLOYMENT_URL, { prompt: 'x' }, { authorization: 'Bearer token-from-entra' });
    expect(response.status).toBe(200);
  });
});

describe('stand-in image API: refusals', () => {
  it.each([
    ['a size that is not a multiple of 16', { size: '1000x1000' }, 'size', 'invalid_value'],
    ['a ratio above 3:1', { size: '3840x1024' }, 'size', 'invalid_value'],
    ['too few pixels', { size: '512x512' }, 'size', 'invalid_value'],
    ['n above 10', { n: 11 }, 'n', 'integer_above_max_value'],
    ['n that is not an integer', { n: '2' }, 'n', 'invalid_type'],
    ['output_compression with png', { output_compression: 50 }, 'output_compression', 'invalid_value'],
    ['output_compression above 100', { output_format: 'jpeg', output_compression: 101 }, 'output_compression', 'invalid_value'],
    ['output_compression below 0', { output_format: 'jpeg', output_compression: -1 }, 'output_compression', 'invalid_value'],
    ['webp output, which Azure does not return', { output_format: 'webp' }, 'output_format', 'invalid_value'],
    ['output_compression that is not an integer', { output_format: 'jpeg', output_compression: 50.5 }, 'output_compression', 'invalid_type'],
    ['output_compression as a string', { output_format: 'jpeg', output_compression: '50' }, 'output_compression', 'invalid_type'],
    ['a transparent JPEG', { output_format: 'jpeg', background: 'transparent' }, 'background', 'invalid_value'],
    ['an unknown background', { background: 'white' }, 'background', 'invalid_value'],
    ['an unknown moderation', { moderation: 'high' }, 'moderation', 'invalid_value'],
    ['moderation that is not a string', { moderation: true }, 'moderation', 'invalid_type'],
    ['an unknown quality', { quality: 'hd' }, 'quality', 'invalid_value'],
    ['an unknown field', { style: 'vivid' }, 'style', 'unknown_parameter'],
    ['an empty prompt', { prompt: '' }, 'prompt', 'empty_string'],
    ['a prompt over 32,000 characters', { prompt: 'a'.repeat(32_001) }, 'prompt', 'string_above_max_length'],
  ])('refuses %s with a 400 naming the parameter', async (_case, body, param, code) => {
    await start();
    const response = await generate(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('apim-request-id')).toMatch(UUID);
    expect(await errorOf(response)).toMatchObject({ type: 'invalid_request_error', param, code });
  });

  it('refuses a missing prompt, invalid JSON and a non-JSON content type', async () => {
    await start();
    const missing = await post(DEPLOYMENT_URL, { size: '1024x1024' });
    expect(missing.status).toBe(400);
    expect(await errorOf(missing)).toMatchObject({ param: 'prompt', code: 'missing_required_parameter' });
    expect((await post(DEPLOYMENT_URL, '{"prompt": "x"')).status).toBe(400);
    const text = await fetch(`${api?.url}${DEPLOYMENT_URL}`, { method: 'POST', headers: { 'api-key': 'k', 'content-type': 'text/plain' }, body: '{"prompt":"x"}' });
    expect(text.status).toBe(400);
  });

  it('answers 404 without an api-version on deployment URLs and 400 for a version that is not one', async () => {
    await start();
    const missing = await post('/openai/deployments/gpt-image-2/images/generations', { prompt: 'x' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: '404', message: 'Resource not found' } });
    const invalid = await post('/openai/deployments/gpt-image-2/images/generations?api-version=yesterday', { prompt: 'x' });
    expect(invalid.status).toBe(400);
    expect(await errorOf(invalid)).toEqual({ code: 'BadRequest', message: 'API version not supported' });
    expect((await post(`${V1_URL}?api-version=preview`, { prompt: 'x', model: 'gpt-image-2' })).status).toBe(200);
  });

  it('answers 404 DeploymentNotFound for an unknown deployment or model, and 400 for a v1 request without a model', async () => {
    await start({ deployments: ['gpt-image-2', 'images-eu'] });
    expect((await post(DEPLOYMENT_URL.replace('gpt-image-2', 'images-eu'), { prompt: 'x' })).status).toBe(200);
    const unknown = await post(DEPLOYMENT_URL.replace('gpt-image-2', 'dall-e-3'), { prompt: 'x' });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('DeploymentNotFound');
    const unknownModel = await post(V1_URL, { prompt: 'x', model: 'gpt-image-1' });
    expect((await errorOf(unknownModel)).code).toBe('DeploymentNotFound');
    const noModel = await post(V1_URL, { prompt: 'x' });
    expect(noModel.status).toBe(400);
    expect(await errorOf(noModel)).toMatchObject({ type: 'invalid_request_error', param: 'model' });
  });

  it('answers 401 without credentials, and with a configured key refuses any other', async () => {
    await start({ apiKey: 'the-key' });
    expect((await post(DEPLOYMENT_URL, { prompt: 'x' }, {})).status).toBe(401);
    expect((await post(DEPLOYMENT_URL, { prompt: 'x' }, { 'api-key': 'another-key' })).status).toBe(401);
    expect((await post(DEPLOYMENT_URL, { prompt: 'x' }, { authorization: 'Bearer t' })).status).toBe(401);
    expect((await post(DEPLOYMENT_URL, { prompt: 'x' }, { 'api-key': 'the-key' })).status).toBe(200);
  });

  it('answers any other path with an Azure-shaped 404', async () => {
    await start();
    const response = await post('/openai/deployments/gpt-image-2/images/variations?api-version=2025-04-01-preview', { prompt: 'x' });
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({ code: '404', message: 'Resource not found' });
    expect((await fetch(`${api?.url}${DEPLOYMENT_URL}`)).status).toBe(404);
  });

  it('serves images edits as multipart with the image to edit, and refuses JSON there', async () => {
    await start();
    const form = new FormData();
    form.append('image', new Blob([await encodedImage(1024, 1024, 'png')], { type: 'image/png' }), 'master.png');
    form.append('prompt', 'Replace the text with 春のセール');
    form.append('n', '2');
    form.append('size', '1024x1024');
    form.append('output_format', 'jpeg');
    const response = await fetch(`${api!.url}/openai/deployments/gpt-image-2/images/edits?api-version=2025-04-01-preview`, { method: 'POST', headers: { 'api-key': 'k' }, body: form });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Array<{ b64_json: string }> };
    expect(body.data).toHaveLength(2);
    expect(imageSize(Buffer.from(body.data[0]!.b64_json, 'base64'))).toMatchObject({ width: 1024, height: 1024, type: 'jpg' });
    const json = await post('/openai/deployments/gpt-image-2/images/edits?api-version=2025-04-01-preview', { prompt: 'x' });
    expect(json.status).toBe(400);
    const noImage = new FormData();
    noImage.append('prompt', 'x');
    const missing = await fetch(`${api!.url}/openai/v1/images/edits`, { method: 'POST', headers: { 'api-key': 'k' }, body: (noImage.append('model', 'gpt-image-2'), noImage) });
    expect(missing.status).toBe(400);
    expect(await errorOf(missing)).toMatchObject({ param: 'image', code: 'missing_required_parameter' });
  });

  it('refuses a prompt with a blocked term, in any case, with a content policy violation', async () => {
    await start();
    const response = await generate({ prompt: 'A poster that says [BLOCKED]' });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: 'content_policy_violation', type: 'invalid_request_error', inner_error: { code: 'ResponsibleAIPolicyViolation' } });
    expect(error.inner_error?.content_filter_results.violence?.filtered).toBe(true);
    api?.configure({ blockedTerms: ['forbidden'] });
    expect((await generate({ prompt: 'A poster that says [blocked]' })).status).toBe(200);
    expect((await generate({ prompt: 'Forbidden fruit' })).status).toBe(400);
  });
});

describe('stand-in image API: quota', () => {
  function clock(): { now: () => number; advance: (ms: number) => void } {
    let time = 1_800_000_000_000;
    return { now: () => time, advance: (ms) => (time += ms) };
  }

  it('admits requests evenly and answers a burst with Azure 429s saying when to retry', async () => {
    const time = clock();
    await start({ imagesPerMinute: 6, now: time.now }); // one image every 10 s
    expect((await generate({})).status).toBe(200);
    expect((await generate({})).status).toBe(200); // one request of tolerance for jitter
    const refused = await generate({});
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after-ms')).toBe('10000');
    expect(refused.headers.get('retry-after')).toBe('10');
    const error = await errorOf(refused);
    expect(error.code).toBe('429');
    expect(error.message).toMatch(
      /^Requests to the ImageGenerations_Create Operation under Azure OpenAI API version 2025-04-01-preview have exceeded call rate limit.*Please retry after 10 seconds\./,
    );

    time.advance(9_999);
    const stillEarly = await generate({});
    expect(stillEarly.status).toBe(429);
    expect(stillEarly.headers.get('retry-after-ms')).toBe('1');
    time.advance(1);
    expect((await generate({})).status).toBe(200);
    expect(api?.stats().rateLimited).toBe(2);
  });

  it('counts a request for n images as n and keeps each deployment separate', async () => {
    const time = clock();
    await start({ imagesPerMinute: 6, now: time.now, deployments: ['gpt-image-2', 'images-eu'] });
    expect((await generate({ n: 3 })).status).toBe(200);
    const refused = await generate({});
    expect(refused.headers.get('retry-after-ms')).toBe('20000'); // three slots taken, one tolerated
    expect((await generate({}, DEPLOYMENT_URL.replace('gpt-image-2', 'images-eu'))).status).toBe(200);
  });

  it('does not spend a one-shot fault on a refused request', async () => {
    const time = clock();
    await start({ imagesPerMinute: 6, now: time.now });
    await generate({});
    await generate({});
    api?.injectFaults(['server-error']);
    expect((await generate({})).status).toBe(429);
    time.advance(10_000);
    expect((await generate({})).status).toBe(500);
  });
});

describe('stand-in image API: faults', () => {
  it.each([
    ['server-error', 500, { code: 'InternalServerError' }],
    ['blocked-resource', 403, { code: '403' }],
    ['content-filter', 400, { code: 'content_policy_violation' }],
  ] as const)('%s answers %i', async (fault, status, error) => {
    await start();
    api?.injectFaults([fault]);
    const response = await generate({});
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toMatchObject(error);
    expect((await generate({})).status).toBe(200); // one-shot
  });

  it('unavailable answers 503 with Retry-After, rate-limit 429 with retry-after-ms 1000', async () => {
    await start();
    api?.injectFaults(['unavailable', 'rate-limit']);
    const unavailable = await generate({});
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('1');
    const limited = await generate({});
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after-ms')).toBe('1000');
    expect(limited.headers.get('retry-after')).toBe('1');
  });

  it('malformed answers 200 with a body that is not JSON, and counts no image', async () => {
    await start();
    api?.injectFaults(['malformed']);
    const response = await generate({});
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('{')).toBe(true);
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(api?.stats().imagesGenerated).toBe(0);
  });

  it('wrong-size and wrong-format answer 200 with images that do not match the request', async () => {
    await start();
    api?.injectFaults(['wrong-size', 'wrong-format']);
    const [resized] = await imagesOf(await generate({ size: '1024x1024' }));
    expect(resized).toMatchObject({ type: 'png' });
    expect(`${resized?.width}x${resized?.height}`).not.toBe('1024x1024');
    const [reformatted] = await imagesOf(await generate({ size: '1024x1024' }));
    expect(reformatted).toMatchObject({ type: 'jpg', width: 1024, height: 1024 });
  });

  it('hang never answers; close() ends the hanging request and resolves', async () => {
    const server = await start();
    server.injectFaults(['hang', 'hang']);
    await expect(generateWithSignal(AbortSignal.timeout(300))).rejects.toMatchObject({ name: 'TimeoutError' });
    const stillHanging = generateWithSignal();
    await waitFor(() => server.stats().requests === 2);
    await server.close();
    await expect(stillHanging).rejects.toThrow();
    expect(() => server.url).toThrow(/not listening/);
  });

  it('latency delays the answer, and close() cuts it short', async () => {
    const server = await start({ latencyMs: 60_000 });
    await expect(generateWithSignal(AbortSignal.timeout(200))).rejects.toMatchObject({ name: 'TimeoutError' });
    const waiting = generateWithSignal();
    await waitFor(() => server.stats().requests === 2);
    await server.close();
    await expect(waiting).rejects.toThrow();
  });

  it('applies queued faults in order, then fault rates drawn from the injected random source', async () => {
    let draw = 0.9;
    await start({ faultRates: { 'server-error': 0.25, unavailable: 0.25 }, random: () => draw });
    api?.injectFaults(['unavailable', 'server-error']);
    expect((await generate({})).status).toBe(503);
    expect((await generate({})).status).toBe(500);
    expect((await generate({})).status).toBe(200); // 0.9 is above both rates
    draw = 0.1;
    expect((await generate({})).status).toBe(500);
    draw = 0.3;
    expect((await generate({})).status).toBe(503);
  });

  it('refuses fault rates that add up to more than 1', () => {
    expect(() => createMockImageApi({ faultRates: { 'server-error': 0.8, hang: 0.5 } })).toThrow(RangeError);
  });
});

function generateWithSignal(signal?: AbortSignal): Promise<Response> {
  return post(DEPLOYMENT_URL, { prompt: 'x' }, { 'api-key': 'k' }, signal);
}

/** Polls until the server has seen the request: its arrival is what the test waits for, not a duration. */
async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`the request did not reach the stand-in within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('stand-in image API: what the client sends', () => {
  const context = { runId: 'run-1', manifest: 'm.csv', model: 'gpt-image-2', attempts: 1, backoffMs: 10 };
  const client = () => new AzureImageClient({ url: `${api!.url}${DEPLOYMENT_URL}`, bodyModel: undefined, auth: apiKeyAuth('test-key') });
  const item = (fields: Partial<ManifestItem>): ManifestItem => ({
    line: 2,
    id: 'hero',
    message: 'Spring Sale',
    locales: ['ja'],
    texts: {},
    prompt: '',
    size: '1024x1024',
    requestedSize: '1024x1024',
    quality: 'low',
    format: 'png',
    variants: 1,
    campaign: 'spring',
    ...fields,
  });

  it('receives every output parameter of a manifest row exactly as the API reference names them', async () => {
    await start();
    const size = resolveSize('standard 16:9');
    if (!size.ok) throw new Error(size.message);
    const [job] = itemJobs(item({ size: size.size, requestedSize: size.requested, format: 'jpeg', compression: 35, background: 'opaque', moderation: 'low', variants: 2 }), context);
    const generation = await client().generate(job!.data.request);
    expect(generation.images.map(({ width, height, format }) => `${width}x${height} ${format}`)).toEqual(['2048x1152 jpeg', '2048x1152 jpeg']);
    const [logged] = api!.stats().requestLog;
    expect(logged).toMatchObject({ status: 200, size: '2048x1152', n: 2 });
    expect(logged!.parameters).toEqual({ size: '2048x1152', quality: 'low', output_format: 'jpeg', output_compression: 35, background: 'opaque', moderation: 'low', n: 2 });
  });

  it('receives no optional parameter a row does not set, and a normalised size rather than the one in the manifest', async () => {
    await start();
    const size = resolveSize('4096x4096');
    if (!size.ok) throw new Error(size.message);
    const [job] = itemJobs(item({ size: size.size, requestedSize: size.requested }), context);
    await client().generate(job!.data.request);
    expect(api!.stats().requestLog[0]!.parameters).toEqual({ size: '2880x2880', quality: 'low', output_format: 'png', n: 1 });
  });

  it('an image of another size than sent fails the item as image_mismatch, not retried', async () => {
    await start();
    api!.injectFaults(['wrong-size']);
    const [job] = itemJobs(item({}), context);
    const error = await client()
      .generate(job!.data.request)
      .catch((e: unknown) => e);
    expect(errorCode(error)).toBe('image_mismatch');
    expect(isRetryable(error)).toBe(false);
  });
});

describe('stand-in image API: stats', () => {
  it('counts requests, statuses and images per prompt, and resets', async () => {
    await start({ now: () => 42_000 });
    await generate({ prompt: 'Autumn deals', n: 2 });
    await generate({ prompt: 'Summer sale' });
    await generate({ prompt: 'Summer sale', size: '1000x1000' });
    api?.configure({ imagesPerMinute: 1 });
    await generate({ prompt: 'Winter', n: 2 });
    await generate({ prompt: 'Winter' });
    const stats = api?.stats();
    expect(stats).toMatchObject({
      requests: 5,
      byStatus: { '200': 3, '400': 1, '429': 1 },
      rateLimited: 1,
      imagesGenerated: 5,
      generationsByPrompt: { 'Autumn deals': 2, 'Summer sale': 1, Winter: 2 },
    });
    expect(stats?.requestLog[0]).toEqual({
      at: 42_000,
      receivedAt: 42_000,
      operation: 'generations',
      deployment: 'gpt-image-2',
      status: 200,
      n: 2,
      size: 'auto',
      prompt: 'Autumn deals',
      parameters: { n: 2 },
      garbled: [],
    });
    expect(stats?.requestLog[2]).toMatchObject({ status: 400, parameters: { size: '1000x1000' } });
    expect(stats?.requestLog.map((entry) => entry.status)).toEqual([200, 200, 400, 200, 429]);

    api?.injectFaults(['server-error']);
    api?.resetStats();
    expect(api?.stats()).toEqual({ requests: 0, byStatus: {}, rateLimited: 0, imagesGenerated: 0, generationsByPrompt: {}, requestLog: [] });
    api?.configure({ imagesPerMinute: undefined });
    expect((await generate({})).status).toBe(200); // the pending fault went with the reset
  });

  it('returns a snapshot that later requests do not change', async () => {
    await start();
    const before = api?.stats();
    await generate({});
    expect(before?.requests).toBe(0);
    expect(api?.stats().requests).toBe(1);
  });
});

describe('stand-in image API: admin routes', () => {
  async function admin(path: string, body?: unknown): Promise<Response> {
    return fetch(`${api?.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  it('serves health, stats, faults, configure and reset without counting them', async () => {
    await start();
    expect(await (await admin('/healthz')).json()).toEqual({ ok: true });

    expect((await admin('/_admin/faults', { faults: ['server-error'] })).status).toBe(200);
    expect((await generate({})).status).toBe(500);
    expect((await admin('/_admin/faults', { faults: ['meteor-strike'] })).status).toBe(400);

    expect((await admin('/_admin/configure', { imagesPerMinute: 1 })).status).toBe(200);
    expect((await generate({})).status).toBe(200);
    expect((await generate({})).status).toBe(200);
    expect((await generate({})).status).toBe(429);
    expect((await admin('/_admin/configure', { imagesPerMinute: null })).status).toBe(200);
    expect((await generate({})).status).toBe(200);
    const invalid = await admin('/_admin/configure', { latencyMs: -1 });
    expect(invalid.status).toBe(400);
    expect((await errorOf(invalid)).message).toMatch(/latencyMs/);

    const stats = (await (await admin('/_admin/stats')).json()) as { requests: number; byStatus: Record<string, number> };
    expect(stats).toEqual(api?.stats());
    expect(stats.requests).toBe(5);
    expect(stats.byStatus).toEqual({ '200': 3, '429': 1, '500': 1 });

    expect((await admin('/_admin/reset', {})).status).toBe(200);
    expect(api?.stats().requests).toBe(0);
  });
});

describe('mock-api command', () => {
  it('takes flags over environment over defaults', () => {
    expect(mockApiSettings({}, {})).toEqual({ port: 8089, host: '127.0.0.1', api: { deployments: ['gpt-image-2'], latencyMs: 0, latencyJitterMs: 0 } });
    const env = { POLYGLYPH_MOCK_PORT: '9000', POLYGLYPH_MOCK_IMAGES_PER_MINUTE: '6', POLYGLYPH_MOCK_API_KEY: 'k', POLYGLYPH_MOCK_FAULT_RATES: 'hang=0.5' };
    const settings = mockApiSettings({ port: '9100', deployments: 'a, b', faultRate: ['server-error=0.05,hang=0.01', 'malformed=0.1'] }, env);
    expect(settings.port).toBe(9100);
    expect(settings.api).toMatchObject({ deployments: ['a', 'b'], imagesPerMinute: 6, apiKey: 'k', faultRates: { 'server-error': 0.05, hang: 0.01, malformed: 0.1 } });
  });

  it.each([
    [{ port: 'eighty' }, {}, /--port: expected an integer port/],
    [{}, { POLYGLYPH_MOCK_IMAGES_PER_MINUTE: '0' }, /POLYGLYPH_MOCK_IMAGES_PER_MINUTE \(--images-per-minute\): expected a positive number/],
    [{ latencyMs: '-5' }, {}, /--latency-ms/],
    [{ faultRate: ['meteor=0.1'] }, {}, /--fault-rate: expected kind=probability pairs.*got 'meteor=0.1'/],
    [{ faultRate: ['hang=0.7,server-error=0.7'] }, {}, /at most 1, got 'hang=0.7,server-error=0.7' \(these add up to 1.4\)/],
    [{ deployments: 'a,,b' }, {}, /--deployments/],
  ])('refuses %o %o with a ConfigError that names the source', (flags, env, message) => {
    let thrown: unknown;
    try {
      mockApiSettings(flags, env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toMatch(message);
    expect((thrown as ConfigError).hint).toBeTruthy();
  });

  it('lists every environment variable in --help', () => {
    const help = mockApiCommand().helpInformation();
    for (const variable of ['POLYGLYPH_MOCK_PORT', 'POLYGLYPH_MOCK_API_KEY', 'POLYGLYPH_MOCK_IMAGES_PER_MINUTE', 'POLYGLYPH_MOCK_FAULT_RATES']) {
      expect(help).toContain(variable);
    }
  });
});
