import { apiKeyAuth, entraIdAuth } from './auth.js';
import { createImageApi, type ImageApiSettings } from './create-image-api.js';
import { resolveMaiEndpoint } from './mai-endpoint.js';
import { MaiImageClient } from './mai-image-client.js';
import type { ImageProvider } from './provider.js';
import type { ImageApi } from './types.js';

/**
 * The client for a deployment of either provider: MaiImageClient for `mai`, the Azure OpenAI client
 * (createImageApi) otherwise. Key auth when a key is set, else Microsoft Entra ID, for both.
 */
export function createProviderImageApi(provider: ImageProvider, settings: ImageApiSettings, options: { fetch?: typeof fetch } = {}): ImageApi {
  if (provider !== 'mai') return createImageApi(settings, options);
  const endpoint = resolveMaiEndpoint(settings);
  return new MaiImageClient({
    url: endpoint.url,
    model: endpoint.model,
    auth: settings.apiKey ? apiKeyAuth(settings.apiKey) : entraIdAuth(endpoint.scope),
    timeoutMs: settings.requestTimeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
