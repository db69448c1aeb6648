import { ConfigError } from '../errors/polyglyph-error.js';

export type ApiStyle = 'deployment' | 'v1';

export interface EndpointSettings {
  endpoint?: string | undefined;
  gptEndpoint?: string | undefined;
  gptModel?: string | undefined;
  deployment: string;
  apiVersion: string;
  apiStyle: ApiStyle;
  entraScope?: string | undefined;
}

export interface ResolvedEndpoint {
  /** The full images/generations URL. */
  url: string;
  style: ApiStyle;
  /** `model` sent in every request body (Azure: the deployment name). */
  model: string;
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
      model: settings.gptModel ?? settings.deployment,
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
    settings.apiStyle === 'v1'
      ? `${base}/openai/v1/images/generations`
      : `${base}/openai/deployments/${deployment}/images/generations?api-version=${encodeURIComponent(settings.apiVersion)}`;
  return { url, style: settings.apiStyle, model: settings.deployment, scope: settings.entraScope ?? SCOPES[settings.apiStyle] };
}
