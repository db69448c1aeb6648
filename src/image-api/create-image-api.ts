import { apiKeyAuth, entraIdAuth } from './auth.js';
import { AzureImageClient } from './azure-image-client.js';
import { resolveEndpoint, type EndpointSettings } from './endpoint.js';
import type { ImageClientOptions } from './http-exchange.js';

export interface ImageApiSettings extends EndpointSettings {
  apiKey?: string | undefined;
  requestTimeoutMs: number;
}

/** Builds the client from configuration: key auth when a key is set, else Entra ID. */
export function createImageApi(settings: ImageApiSettings, options: { fetch?: typeof fetch } = {}): AzureImageClient {
  return new AzureImageClient(clientOptions(resolveEndpoint(settings), settings, options));
}

/** Options for any provider's client: key auth when a key is set, else Entra ID for the endpoint's scope. */
export function clientOptions(endpoint: { url: string; bodyModel: string | undefined; scope: string }, settings: ImageApiSettings, options: { fetch?: typeof fetch }): ImageClientOptions {
  return {
    url: endpoint.url,
    bodyModel: endpoint.bodyModel,
    auth: settings.apiKey ? apiKeyAuth(settings.apiKey) : entraIdAuth(endpoint.scope),
    timeoutMs: settings.requestTimeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}
