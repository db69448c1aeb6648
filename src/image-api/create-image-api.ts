import { apiKeyAuth, entraIdAuth } from './auth.js';
import { AzureImageClient } from './azure-image-client.js';
import { resolveEndpoint, type EndpointSettings } from './endpoint.js';

export interface ImageApiSettings extends EndpointSettings {
  apiKey?: string | undefined;
  requestTimeoutMs: number;
}

/** Builds the client from configuration: key auth when a key is set, else Entra ID. */
export function createImageApi(settings: ImageApiSettings, options: { fetch?: typeof fetch } = {}): AzureImageClient {
  const endpoint = resolveEndpoint(settings);
  return new AzureImageClient({
    url: endpoint.url,
    model: endpoint.model,
    auth: settings.apiKey ? apiKeyAuth(settings.apiKey) : entraIdAuth(endpoint.scope),
    timeoutMs: settings.requestTimeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
