import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APITimeoutError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
} from '../../src/errors/api-error.js';
import { errorCode, isRetryable } from '../../src/errors/retry-policy.js';
import { apiKeyAuth } from '../../src/image-api/auth.js';
import { AzureImageClient, ImageMismatchError } from '../../src/image-api/azure-image-client.js';
import type { ImageRequest } from '../../src/image-api/types.js';
import { encodedImage } from '../helpers/png.js';
import { replayFetch, type ReplayStep } from '../helpers/replay-fetch.js';

const URL_ = 'https://res.openai.azure.com/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview';
const request: ImageRequest = { prompt: 'Render 春のセール', size: '1024x1024', quality: 'medium', format: 'png', n: 1 };

function client(steps: ReplayStep[], timeoutMs = 5_000) {
  const replay = replayFetch(steps);
  return { client: new AzureImageClient({ url: URL_, bodyModel: undefined, auth: apiKeyAuth('k-123'), fetch: replay.fetch, timeoutMs }), requests: replay.requests };
}

async function okBody(count = 1, width = 1024, height = 1024, format: 'png' | 'jpeg' | 'webp' = 'png') {
  const image = (await encodedImage(width, height, format)).toString('base64');
  return {
    created: 1,
    data: Array.from({ length: count }, () => ({ b64_json: image, revised_prompt: 'revised' })),
    usage: { input_tokens: 50, output_tokens: 1056, total_tokens: 1106, input_tokens_details: { text_tokens: 50, image_tokens: 0 } },
  };
}

describe('AzureImageClient', () => {
  it('sends the documented body with key auth and decodes the images', async () => {
    const { client: c, requests } = client([{ status: 200, body: await okBody(2), headers: { 'apim-request-id': 'req-1' } }]);
    const result = await c.generate({ ...request, n: 2 });
    expect(requests[0]?.url).toBe(URL_);
    expect(requests[0]?.headers['api-key']).toBe('k-123');
    // A deployment-style URL routes by the URL: no body model (a deployment name there is Azure's 400).
    expect(requests[0]?.body).toEqual({ prompt: request.prompt, size: '1024x1024', quality: 'medium', output_format: 'png', n: 2 });
    expect(result.images).toHaveLength(2);
    expect(result.images[0]).toMatchObject({ format: 'png', width: 1024, height: 1024, revisedPrompt: 'revised' });
    expect(result.usage).toEqual({ inputTokens: 50, outputTokens: 1056, totalTokens: 1106, inputTextTokens: 50, inputImageTokens: 0 });
    expect(result.requestId).toBe('req-1');
  });

  it('sends output_compression only for jpeg and webp', async () => {
    const { client: c, requests } = client([{ status: 200, body: await okBody(1, 1024, 1024, 'jpeg') }]);
    await c.generate({ ...request, format: 'jpeg', outputCompression: 80 });
    expect(requests[0]?.body).toMatchObject({ output_format: 'jpeg', output_compression: 80 });
  });

  it('sends background and moderation only when set, with their documented names', async () => {
    const { client: c, requests } = client([
      { status: 200, body: await okBody(1, 1024, 1024, 'webp') },
      { status: 200, body: await okBody() },
    ]);
    await c.generate({ ...request, format: 'webp', outputCompression: 40, background: 'transparent', moderation: 'low' });
    expect(requests[0]?.body).toEqual({
      prompt: request.prompt,
      size: '1024x1024',
      quality: 'medium',
      output_format: 'webp',
      output_compression: 40,
      background: 'transparent',
      moderation: 'low',
      n: 1,
    });
    await c.generate({ ...request, outputCompression: 40, background: undefined, moderation: undefined });
    expect(Object.keys(requests[1]!.body as object).sort()).toEqual(['n', 'output_format', 'prompt', 'quality', 'size']);
  });

  const errorCases: Array<[string, ReplayStep, new (...args: never[]) => Error, boolean]> = [
    ['content filter', { status: 400, body: { error: { code: 'contentFilter', message: 'blocked' } } }, ContentPolicyError, false],
    ['moderation_blocked', { status: 400, body: { error: { code: 'moderation_blocked', message: 'blocked' } } }, ContentPolicyError, false],
    [
      'inner ResponsibleAIPolicyViolation',
      { status: 400, body: { error: { code: 'content_policy_violation', message: 'x', inner_error: { code: 'ResponsibleAIPolicyViolation' } } } },
      ContentPolicyError,
      false,
    ],
    ['bad request', { status: 400, body: { error: { code: 'invalid_value', message: 'bad size', param: 'size' } } }, BadRequestError, false],
    ['401', { status: 401, body: { error: { code: '401', message: 'Access denied' } } }, AuthenticationError, false],
    ['403 blocked resource', { status: 403, body: { error: { code: '403', message: 'resource has been temporarily blocked' } } }, PermissionDeniedError, false],
    ['404', { status: 404, body: { error: { code: 'DeploymentNotFound', message: 'no such deployment' } } }, NotFoundError, false],
    ['429', { status: 429, body: { error: { code: '429', message: 'retry after 7 seconds' } }, headers: { 'retry-after-ms': '6500', 'retry-after': '7' } }, RateLimitedError, true],
    ['500', { status: 500, body: { error: { code: 'InternalServerError', message: 'oops' } } }, InternalServerError, true],
    ['503 non-JSON body', { status: 503, body: '<html>unavailable</html>' }, InternalServerError, true],
  ];
  for (const [name, step, errorClass, retryable] of errorCases) {
    it(`maps ${name} to ${errorClass.name} (retryable: ${retryable})`, async () => {
      const error = await client([step])
        .client.generate(request)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errorClass);
      expect(isRetryable(error)).toBe(retryable);
    });
  }

  it('carries status, code, request id and retry-after (ms header wins)', async () => {
    const error = (await client([{ status: 429, body: { error: { code: '429', message: 'slow down' } }, headers: { 'retry-after-ms': '6500', 'retry-after': '7', 'apim-request-id': 'abc' } }])
      .client.generate(request)
      .catch((e: unknown) => e)) as RateLimitedError;
    expect(error).toMatchObject({ status: 429, code: '429', requestId: 'abc', retryAfterMs: 6500 });
  });

  it('falls back to Retry-After seconds', async () => {
    const error = (await client([{ status: 429, body: { error: { code: '429', message: 'x' } }, headers: { 'retry-after': '3' } }])
      .client.generate(request)
      .catch((e: unknown) => e)) as RateLimitedError;
    expect(error.retryAfterMs).toBe(3000);
  });

  it('turns a network failure into a retryable APIConnectionError', async () => {
    const error = await client([{ networkError: 'ECONNRESET' }])
      .client.generate(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toContain('ECONNRESET');
    expect(isRetryable(error)).toBe(true);
  });

  it('abandons a request that never answers after the timeout', async () => {
    const hanging = ((_: unknown, init?: RequestInit) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)))) as typeof fetch;
    const c = new AzureImageClient({ url: URL_, bodyModel: undefined, auth: apiKeyAuth('k'), fetch: hanging, timeoutMs: 50 });
    const error = await c.generate(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(isRetryable(error)).toBe(true);
  });

  it('rejects a malformed 200 body as retryable', async () => {
    const error = await client([{ status: 200, body: '{"data": [{"b64_js' }])
      .client.generate(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).code).toBe('malformed_response');
    expect(isRetryable(error)).toBe(true);
  });

  it('rejects an image of the wrong size or format, without retrying', async () => {
    const wrongSize = await client([{ status: 200, body: await okBody(1, 1024, 1040) }])
      .client.generate(request)
      .catch((e: unknown) => e);
    expect(wrongSize).toBeInstanceOf(ImageMismatchError);
    expect((wrongSize as Error).message).toContain('asked for 1024x1024, got 1024x1040');
    const wrongFormat = await client([{ status: 200, body: await okBody(1, 1024, 1024, 'png') }])
      .client.generate({ ...request, format: 'webp' })
      .catch((e: unknown) => e);
    expect((wrongFormat as Error).message).toContain('asked for webp, got png');
    expect(isRetryable(wrongSize)).toBe(false);
    // the code the item fails with, in the report
    expect(errorCode(wrongSize)).toBe('image_mismatch');
    expect(errorCode(wrongFormat)).toBe('image_mismatch');
  });

  it('checks the images against the size it sent (a normalised or routed one)', async () => {
    const { client: c, requests } = client([
      { status: 200, body: await okBody(1, 2880, 2880) },
      { status: 200, body: await okBody(1, 1024, 1024) },
    ]);
    await expect(c.generate({ ...request, size: '2880x2880' })).resolves.toMatchObject({ images: [{ width: 2880, height: 2880 }] });
    expect(requests[0]?.body).toMatchObject({ size: '2880x2880' });
    const error = await c.generate({ ...request, size: '2880x2880' }).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('image_mismatch');
    expect((error as Error).message).toContain('asked for 2880x2880, got 1024x1024');
  });

  it('rejects fewer images than asked for', async () => {
    const error = await client([{ status: 200, body: await okBody(1) }])
      .client.generate({ ...request, n: 2 })
      .catch((e: unknown) => e);
    expect((error as InvalidResponseError).code).toBe('incomplete_response');
  });
});
