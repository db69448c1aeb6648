// The stand-in's definition of "paid" that the fault tests rely on: an image counts only when its
// answer reached a client that was still connected. A client that gave up (timeout) or died (SIGKILL)
// before the answer was written received nothing: the stand-in logs 499 and counts no image.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { waitUntil } from '../helpers/pipeline.js';

const PATH = '/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview';

let api: MockImageApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function generate(server: MockImageApi, prompt: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'api-key': 'k' },
    body: JSON.stringify({ prompt, n: 2, size: '1024x1024', quality: 'low' }),
    ...(signal ? { signal } : {}),
  });
}

describe('stand-in: generations whose client is gone are not paid', () => {
  it('logs 499 and counts no image when the client disconnects before the answer; a connected client is counted', async () => {
    const server = createMockImageApi({ latencyMs: 1_500 });
    api = server;
    await server.listen();

    // Abort once the stand-in holds the request (counted on arrival) and has read its small body.
    const controller = new AbortController();
    const abandoned = generate(server, 'abandoned', controller.signal);
    await waitUntil(() => server.stats().requests === 1, 'the request arrives', 5_000);
    await sleep(300);
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    await waitUntil(() => (server.stats().byStatus['499'] ?? 0) === 1, 'the abandoned generation is logged', 5_000);
    expect(server.stats()).toMatchObject({ requests: 1, imagesGenerated: 0, rateLimited: 0 });
    expect(server.stats().generationsByPrompt).toEqual({});
    expect(server.stats().requestLog).toMatchObject([{ status: 499, n: 2, prompt: 'abandoned' }]);

    const delivered = await generate(server, 'delivered');
    expect(delivered.status).toBe(200);
    await delivered.arrayBuffer();
    const stats = server.stats();
    expect(stats).toMatchObject({ requests: 2, imagesGenerated: 2, byStatus: { '200': 1, '499': 1 } });
    expect(stats.generationsByPrompt).toEqual({ delivered: 2 });
  });
});
