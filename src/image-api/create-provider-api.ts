import { clientOptions, createImageApi, type ImageApiSettings } from './create-image-api.js';
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
  return new MaiImageClient(clientOptions(resolveMaiEndpoint(settings), settings, options));
}
