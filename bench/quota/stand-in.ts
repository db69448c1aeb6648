// The stand-in Azure OpenAI image API, in this process: one per scenario (and one per "region" in
// the pool) so each scenario's request log starts empty and its quota starts fresh.
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import type { BenchSettings } from './settings.js';
import type { CleanupStack } from './lifecycle.js';

export const DEPLOYMENT = 'gpt-image-2';
export const API_VERSION = '2025-04-01-preview';
export const API_KEY = 'bench-key';

export async function startStandIn(settings: BenchSettings, imagesPerMinute: number, cleanup: CleanupStack): Promise<MockImageApi> {
  const api = createMockImageApi({
    deployments: [DEPLOYMENT],
    apiKey: API_KEY,
    imagesPerMinute,
    latencyMs: settings.latencyMs,
    latencyJitterMs: settings.jitterMs,
  });
  await api.listen(0);
  cleanup.defer(`stand-in ${api.url}`, () => api.close());
  return api;
}

/** The deployment-style generations URL, as in Microsoft's C# sample (`AZURE_GPT_ENDPOINT`). */
export function generationsUrl(api: MockImageApi): string {
  return `${api.url}/openai/deployments/${DEPLOYMENT}/images/generations?api-version=${API_VERSION}`;
}
