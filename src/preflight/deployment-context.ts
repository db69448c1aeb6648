import type { DeploymentSpec } from '../deployments/deployment-spec.js';
import { resolveEndpoint } from '../image-api/endpoint.js';
import { resolveMaiEndpoint } from '../image-api/mai-endpoint.js';
import type { DeploymentContext } from './diagnosis.js';

/** Where a deployment's requests go and how they authenticate, resolved once from its spec. */
export interface ResolvedDeployment {
  spec: DeploymentSpec;
  /** The generations URL. */
  url: string;
  /** The body's `model` on this URL (the deployment name on v1 and MAI). */
  bodyModel: string;
  scope: string;
  context: DeploymentContext;
}

/** Resolves a deployment's URL, scope and diagnosis context; throws ConfigError when it has no endpoint. */
export function resolveDeployment(spec: DeploymentSpec, fromFile: boolean): ResolvedDeployment {
  const mai = spec.provider === 'mai';
  const endpoint = mai ? { ...resolveMaiEndpoint(spec.api), style: 'mai' as const } : resolveEndpoint(spec.api);
  const url = new URL(endpoint.url);
  const context: DeploymentContext = {
    name: spec.name,
    // loadDeployments takes it from a full URL (AZURE_GPT_ENDPOINT) too.
    deployment: spec.api.deployment,
    model: spec.model,
    style: endpoint.style,
    auth: spec.api.apiKey ? { kind: 'key' } : { kind: 'entra', scope: endpoint.scope },
    endpointSetting: fromFile ? `the deployments file's "endpoint" of ${spec.name}` : spec.api.gptEndpoint ? 'AZURE_GPT_ENDPOINT' : 'AZURE_OPENAI_ENDPOINT',
    host: url.host,
    fromFile,
  };
  // Runs send no model on deployment-style URLs; the probe names the configured model there on purpose,
  // so that a model Azure does not know (a deployment name, a typo) is refused. v1 and MAI: the deployment.
  const bodyModel = endpoint.style === 'deployment' ? spec.model : (endpoint.bodyModel ?? spec.api.deployment);
  return { spec, url: endpoint.url, bodyModel, scope: endpoint.scope, context };
}

/** The URL without its query (which could hold a credential), for output. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
