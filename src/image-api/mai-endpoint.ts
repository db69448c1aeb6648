import type { EndpointSettings } from './endpoint.js';
import { ConfigError } from '../errors/polyglyph-error.js';

/**
 * The Entra ID scope for MAI requests. Microsoft's MAI samples authenticate to the Foundry resource
 * with the Cognitive Services audience; POLYGLYPH_ENTRA_SCOPE / `entraScope` overrides it.
 */
export const MAI_ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

export interface ResolvedMaiEndpoint {
  /** `{resource}/mai/v1/images/generations`. */
  url: string;
  /** `model` sent in every request body: the deployment name, as on the v1 OpenAI surface. */
  bodyModel: string;
  scope: string;
}

/**
 * MAI's generations URL from the same settings as Azure OpenAI's: a resource endpoint (with or
 * without a trailing slash, `/openai[/v1]` or `/mai/v1[/images[/generations]]` pasted after it) gives
 * `{resource}/mai/v1/images/generations`; a full URL (`gptEndpoint`) is used as given. No api-version
 * is sent: Microsoft's examples send none.
 */
export function resolveMaiEndpoint(settings: EndpointSettings): ResolvedMaiEndpoint {
  const scope = settings.entraScope ?? MAI_ENTRA_SCOPE;
  if (settings.gptEndpoint) return { url: settings.gptEndpoint, bodyModel: settings.deployment, scope };
  if (!settings.endpoint) {
    throw new ConfigError('no endpoint is configured for the MAI deployment', {
      hint: 'set the Foundry resource endpoint, e.g. https://NAME.services.ai.azure.com ("endpoint" in the deployments file, or AZURE_OPENAI_ENDPOINT)',
    });
  }
  const base = settings.endpoint
    .replace(/\/+$/, '')
    .replace(/\/mai\/v1(\/images(\/generations)?)?$/, '')
    .replace(/\/openai(\/v1)?$/, '');
  return { url: `${base}/mai/v1/images/generations`, bodyModel: settings.deployment, scope };
}
