import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { usageCostMicros } from '../../src/cost/usage-cost.js';
import { DEFAULT_PRICE_TABLE } from '../../src/cost/price-table.js';
import { APIError, BadRequestError, InvalidResponseError } from '../../src/errors/api-error.js';
import { breakerEffect, isRetryable } from '../../src/errors/retry-policy.js';
import { apiKeyAuth } from '../../src/image-api/auth.js';
import { AzureImageClient } from '../../src/image-api/azure-image-client.js';
import { DEFAULT_TIMEOUT_MS } from '../../src/image-api/http-exchange.js';
import { partialGeneration } from '../../src/image-api/partial-generation.js';
import { parseGenerationBody } from '../../src/image-api/parse-response.js';
import type { ImageRequest } from '../../src/image-api/types.js';
import { PrometheusWorkerMetrics } from '../../src/observability/metrics.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { encodedImage } from '../helpers/png.js';
import { replayFetch } from '../helpers/replay-fetch.js';

/** Answers handled as openai-node handles them (issue 10, Build 3). */

const URL_ = 'https://res.openai.azure.com/openai/deployments/img-prod-eastus/images/generations?api-version=2025-04-01-preview';
const request: ImageRequest = { prompt: 'Render 春のセール', size: '1024x1024', quality: 'low', format: 'png', n: 2 };

let api: MockImageApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function errorFor(status: number, body: unknown, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, body, new Headers(headers));
}

describe('x-should-retry decides before the status rule (openai-node src/client.ts)', () => {
  it('true retries a 400; false stops a 500 and a 429', () => {
    const bad = errorFor(400, { error: { code: 'invalid_value', message: 'x' } }, { 'x-should-retry': 'true' });
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(isRetryable(bad)).toBe(true);
    expect(isRetryable(errorFor(500, { error: { message: 'x' } }, { 'x-should-retry': 'false' }))).toBe(false);
    expect(isRetryable(errorFor(429, { error: { message: 'x' } }, { 'x-should-retry': 'FALSE' }))).toBe(false);
    // Without the header, or with another value, the status rule decides.
    expect(isRetryable(errorFor(500, { error: { message: 'x' } }))).toBe(true);
    expect(isRetryable(errorFor(400, { error: { message: 'x' } }, { 'x-should-retry': 'maybe' }))).toBe(false);
  });
});

describe('400 unsupported_content_type on multipart edits (openai/openai-python#2749)', () => {
  it('is retried, counts nothing against the deployment, and the stand-in can produce it', async () => {
    api = createMockImageApi({ apiKey: 'k' });
    await api.listen();
    api.injectFaults(['unsupported-content-type']);
    const client = new AzureImageClient({ url: `${api.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`, bodyModel: undefined, auth: apiKeyAuth('k') });
    const source = { bytes: await encodedImage(1024, 1024, 'png'), contentType: 'image/png', filename: 'master.png' };
    const error = await client.edit({ ...request, n: 1 }, source).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).code).toBe('unsupported_content_type');
    expect((error as Error).message).toMatch(/Unsupported content type: 'multipart\/form-data'/);
    expect(isRetryable(error)).toBe(true);
    expect(breakerEffect(error)).toBe('none');
    // Sent again, the same edit succeeds.
    expect((await client.edit({ ...request, n: 1 }, source)).images).toHaveLength(1);
  });
});

describe('fewer images than asked', () => {
  it('throws a retryable incomplete_response that carries the delivered images, checked, for the job to stage', async () => {
    const image = (await encodedImage(1024, 1024, 'png')).toString('base64');
    const replay = replayFetch([{ status: 200, body: { created: 1, data: [{ b64_json: image }], usage: { input_tokens: 10, output_tokens: 272, total_tokens: 282 } } }]);
    const client = new AzureImageClient({ url: URL_, bodyModel: undefined, auth: apiKeyAuth('k'), fetch: replay.fetch });
    const error = await client.generate(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).code).toBe('incomplete_response');
    expect(isRetryable(error)).toBe(true);
    const delivered = partialGeneration(error);
    expect(delivered?.images.map(({ width, height, format }) => `${width}x${height} ${format}`)).toEqual(['1024x1024 png']);
    expect(delivered?.usage?.outputTokens).toBe(272);
  });

  it("the stand-in's fewer-images fault delivers one image fewer and counts only those as paid", async () => {
    api = createMockImageApi({ apiKey: 'k' });
    await api.listen();
    api.injectFaults(['fewer-images']);
    const client = new AzureImageClient({ url: `${api.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`, bodyModel: undefined, auth: apiKeyAuth('k') });
    const error = await client.generate({ ...request, n: 3 }).catch((caught: unknown) => caught);
    expect(partialGeneration(error)?.images).toHaveLength(2);
    expect(api.stats().imagesGenerated).toBe(2);
  });
});

describe('usage.output_tokens_details: image and text output priced apart', () => {
  it('parses image and text output tokens', () => {
    const parsed = parseGenerationBody({
      data: [{ b64_json: 'eA==' }],
      usage: { input_tokens: 50, output_tokens: 1200, total_tokens: 1250, input_tokens_details: { text_tokens: 50, image_tokens: 0 }, output_tokens_details: { image_tokens: 1000, text_tokens: 200 } },
    });
    expect(typeof parsed === 'string' ? parsed : parsed.usage).toMatchObject({ outputTokens: 1200, outputImageTokens: 1000, outputTextTokens: 200 });
  });

  it('prices text output at $10/M and image output at $30/M for gpt-image-2; without details all output is image output', () => {
    // 1,000 image tokens x $30/M + 200 text tokens x $10/M = $0.032 = 32,000 micro-dollars.
    expect(usageCostMicros({ outputTokens: 1200, outputImageTokens: 1000, outputTextTokens: 200 }, 'gpt-image-2', DEFAULT_PRICE_TABLE)).toBe(32_000);
    expect(usageCostMicros({ outputTokens: 1200 }, 'gpt-image-2', DEFAULT_PRICE_TABLE)).toBe(36_000);
  });
});

describe('timeouts', () => {
  it('default to 600 s, as openai-node does, in the client and the settings', () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(600_000);
    expect(resolveConfig({}, {}).requestTimeoutMs).toBe(600_000);
  });

  it('are counted per deployment as possible double payments', async () => {
    const metrics = new PrometheusWorkerMetrics({ deployments: [{ name: 'img-prod-eastus', model: 'gpt-image-2', imagesPerMinute: 6 }], defaultMetrics: false });
    metrics.timedOut({ deployment: 'img-prod-eastus' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/# HELP polyglyph_request_timeouts_total .*possible double payment/);
    expect(text).toContain('polyglyph_request_timeouts_total{deployment="img-prod-eastus"} 1');
  });
});
