import { ConfigError } from '../errors/polyglyph-error.js';

export type ApiStyle = 'deployment' | 'v1';

export interface EndpointSettings {
  endpoint?: string | undefined;
  gptEndpoint?: string | undefined;
  /** The deployment name: in the URL (deployment style) or the body's `model` (v1). Never the model it serves. */
  deployment: string;
  apiVersion: string;
  apiStyle: ApiStyle;
  entraScope?: string | undefined;
}

export interface ResolvedEndpoint {
  /** The full images/generations URL. */
  url: string;
  style: ApiStyle;
  /**
   * The body's `model`: the deployment name on v1 URLs (where it routes the request), nothing on
   * deployment-style URLs, which route by the URL. Azure answers a deployment name there with
   * `400 invalid_value "The model 'NAME' does not exist."` (openclaw/openclaw#71526, BerriAI/litellm#26316),
   * and its own 2025-04-01-preview examples (image_generation.yaml, image_edits.json) send no model.
   */
  bodyModel: string | undefined;
  /** Entra ID scope for bearer tokens. */
  scope: string;
}

/** Dated-API examples use the Cognitive Services scope; the v1 API recommends ai.azure.com. */
const SCOPES: Readonly<Record<ApiStyle, string>> = {
  deployment: 'https://cognitiveservices.azure.com/.default',
  v1: 'https://ai.azure.com/.default',
};

/**
 * Works out the generations URL from the three ways users configure it: a resource endpoint with a
 * deployment (deployment-style URL with api-version), the same with the v1 style, or the full URL
 * of Microsoft's C# sample (`AZURE_GPT_ENDPOINT`), used as given.
 */
export function resolveEndpoint(settings: EndpointSettings): ResolvedEndpoint {
  if (settings.gptEndpoint) {
    const style: ApiStyle = new URL(settings.gptEndpoint).pathname.includes('/openai/v1/') ? 'v1' : 'deployment';
    return {
      url: settings.gptEndpoint,
      style,
      bodyModel: style === 'v1' ? settings.deployment : undefined,
      scope: settings.entraScope ?? SCOPES[style],
    };
  }
  if (!settings.endpoint) {
    throw new ConfigError('no image API endpoint is configured (AZURE_OPENAI_ENDPOINT or AZURE_GPT_ENDPOINT)', {
      hint: 'set AZURE_OPENAI_ENDPOINT (e.g. https://NAME.openai.azure.com) or AZURE_GPT_ENDPOINT (the full generations URL)',
    });
  }
  // Users paste the endpoint with or without a trailing slash or the /openai[/v1] suffix.
  const base = settings.endpoint.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
  const deployment = encodeURIComponent(settings.deployment);
  const url =
    settings.apiStyle === 'v1' ? `${base}/openai/v1/images/generations` : `${base}/openai/deployments/${deployment}/images/generations?api-version=${encodeURIComponent(settings.apiVersion)}`;
  return { url, style: settings.apiStyle, bodyModel: settings.apiStyle === 'v1' ? settings.deployment : undefined, scope: settings.entraScope ?? SCOPES[settings.apiStyle] };
}
