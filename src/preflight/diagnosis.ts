import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
} from '../errors/api-error.js';
import { networkFailure } from '../errors/network-failure.js';

/** What `polyglyph check` (and a run that stops) can say is wrong with a deployment. */
export type DiagnosisKind =
  | 'dns'
  | 'refused'
  | 'tls'
  | 'timeout'
  | 'unreachable'
  | 'no-credential'
  | 'wrong-key'
  | 'token-refused'
  | 'forbidden'
  | 'blocked'
  | 'deployment-not-found'
  | 'url-not-found'
  | 'model-mismatch'
  | 'rate-limited'
  | 'service-error'
  | 'unexpected';

/** The check a diagnosis fails: where in the chain endpoint -> auth -> deployment -> model it broke. */
export type DiagnosisStage = 'endpoint' | 'auth' | 'deployment' | 'model' | 'service';

export interface Diagnosis {
  kind: DiagnosisKind;
  stage: DiagnosisStage;
  /** What is wrong, in one sentence, with the service's status and code when it answered. */
  problem: string;
  /** How to fix it. */
  fix: string;
  status?: number | undefined;
  code?: string | undefined;
}

/** What the diagnosis needs to know of the deployment to name the right setting and fix. */
export interface DeploymentContext {
  /** The pool member's name (reports, logs). */
  name: string;
  /** The deployment name in the URL (deployment style) or body (v1, MAI). */
  deployment: string;
  model: string;
  /** `deployment` and `v1`: Azure OpenAI's two URL styles; `mai`: Foundry's MAI route. */
  style: 'deployment' | 'v1' | 'mai';
  auth: { kind: 'key' } | { kind: 'entra'; scope: string };
  /** Where the endpoint comes from, for fixes: `AZURE_OPENAI_ENDPOINT` or `the deployments file's "endpoint"`. */
  endpointSetting: string;
  /** The host (and port) requests go to: never a URL with a query, which could hold a credential. */
  host: string;
  /** From the single-deployment settings (AZURE_OPENAI_*) or a deployments file. */
  fromFile: boolean;
}

const ENTRA_ROLE = '"Cognitive Services OpenAI User" (Azure OpenAI) or "Cognitive Services User" (MAI and other Foundry models)';

/**
 * Turns a failed request to a deployment into what is wrong and how to fix it. Used by `polyglyph
 * check` for its probes and by workers and `run` when every deployment of a run fails, so both say
 * the same thing. Error shapes: Azure's gateway `{error: {code, message}}` and Entra's
 * `{statusCode, message}` (IMAGE-API-FACTS.md), 404 `DeploymentNotFound` (the stand-in's
 * errors.ts names its sources), 400 `invalid_value` on `model` (openclaw/openclaw#71526).
 */
export function diagnoseFailure(error: unknown, context: DeploymentContext): Diagnosis {
  const keySetting = context.fromFile ? `the deployments file's "apiKey" / "apiKeyEnv" of ${context.name}` : 'AZURE_OPENAI_API_KEY';
  const deploymentSetting = context.fromFile ? `"deployment" of ${context.name} in the deployments file` : 'AZURE_OPENAI_DEPLOYMENT';
  const modelSetting = context.fromFile ? `"model" of ${context.name} in the deployments file` : 'AZURE_OPENAI_MODEL (or AZURE_GPT_MODEL)';
  const scopeSetting = context.fromFile ? `"entraScope" of ${context.name}` : 'POLYGLYPH_ENTRA_SCOPE';
  const status = error instanceof APIError ? error.status : undefined;
  const code = error instanceof APIError ? error.code : undefined;
  const said = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  const base = { status, code };

  if (isCredentialError(error)) {
    return {
      ...base,
      kind: 'no-credential',
      stage: 'auth',
      problem: `no Microsoft Entra ID token for ${context.auth.kind === 'entra' ? context.auth.scope : 'the scope'}: ${said}`,
      fix: `sign in (az login), or give the process a managed or workload identity; or set ${keySetting} to use a key instead`,
    };
  }
  if (error instanceof APITimeoutError) {
    return {
      ...base,
      kind: 'timeout',
      stage: 'endpoint',
      problem: `${context.host} did not answer: ${said}`,
      fix: `check that this machine can reach ${context.host} (firewall, proxy, private endpoint); ${context.endpointSetting} names it`,
    };
  }
  if (error instanceof APIConnectionError) {
    const failure = networkFailure(error);
    if (failure?.kind === 'dns') {
      return {
        ...base,
        kind: 'dns',
        stage: 'endpoint',
        problem: `the host ${context.host} does not resolve (${failure.code})`,
        fix: `check ${context.endpointSetting}: the resource's endpoint, e.g. https://NAME.openai.azure.com or https://NAME.services.ai.azure.com`,
      };
    }
    if (failure?.kind === 'refused') {
      return {
        ...base,
        kind: 'refused',
        stage: 'endpoint',
        problem: `${context.host} refused the connection (${failure.code})`,
        fix: `check the host and port in ${context.endpointSetting}; nothing accepts connections there`,
      };
    }
    if (failure?.kind === 'tls') {
      return {
        ...base,
        kind: 'tls',
        stage: 'endpoint',
        problem: `the TLS handshake with ${context.host} failed (${failure.code})`,
        fix: `use the resource's own https endpoint in ${context.endpointSetting}; behind a TLS-inspecting proxy, set NODE_EXTRA_CA_CERTS to the proxy's CA certificate`,
      };
    }
    return {
      ...base,
      kind: 'unreachable',
      stage: 'endpoint',
      problem: `no answer from ${context.host}: ${said}`,
      fix: `check that this machine can reach ${context.host} (${context.endpointSetting})`,
    };
  }
  if (error instanceof AuthenticationError) {
    if (context.auth.kind === 'key') {
      return {
        ...base,
        kind: 'wrong-key',
        stage: 'auth',
        problem: `the API key was refused (${said})`,
        fix: `set ${keySetting} to KEY 1 or KEY 2 of the resource at ${context.host} (portal: the resource -> Keys and Endpoint); a key of another resource is refused the same way`,
      };
    }
    return {
      ...base,
      kind: 'token-refused',
      stage: 'auth',
      problem: `the Entra ID token for ${context.auth.scope} was refused (${said})`,
      fix: `${context.style === 'v1' ? 'v1 URLs take https://ai.azure.com/.default' : 'deployment URLs and MAI take https://cognitiveservices.azure.com/.default'}; set ${scopeSetting} if this resource needs another scope, and sign in to the resource's tenant`,
    };
  }
  if (error instanceof PermissionDeniedError) {
    if (/temporarily blocked/i.test(said)) {
      return {
        ...base,
        kind: 'blocked',
        stage: 'auth',
        problem: `the resource is temporarily blocked (${said})`,
        fix: 'this needs a person: see the resource in the Azure portal or open a support request; retrying does not help',
      };
    }
    if (context.auth.kind === 'entra') {
      return {
        ...base,
        kind: 'forbidden',
        stage: 'auth',
        problem: `the signed-in identity may not use this resource (${said})`,
        fix: `assign it ${ENTRA_ROLE} on the resource (role assignments take a few minutes to apply)`,
      };
    }
    return {
      ...base,
      kind: 'forbidden',
      stage: 'auth',
      problem: `the resource refused the request (${said})`,
      fix: `check the resource's network rules (firewall, private endpoint) allow this machine, and that key auth is not disabled on it (else leave ${keySetting} unset to use Entra ID)`,
    };
  }
  if (error instanceof NotFoundError) {
    if (code === 'DeploymentNotFound' || /deployment/i.test(said)) {
      return {
        ...base,
        kind: 'deployment-not-found',
        stage: 'deployment',
        problem: `no deployment named '${context.deployment}' at ${context.host} (${said})`,
        fix: `set ${deploymentSetting} to a deployment listed under Deployments in the Foundry portal, or create '${context.deployment}' (a new deployment can take 5 minutes to answer)`,
      };
    }
    return {
      ...base,
      kind: 'url-not-found',
      stage: 'deployment',
      problem: `the URL was not found at ${context.host} (${said})`,
      fix: `check ${context.endpointSetting} holds only the resource's endpoint (no extra path), and the API version (AZURE_OPENAI_API_VERSION)`,
    };
  }
  if (error instanceof BadRequestError && badParam(error) === 'model') {
    if (context.style !== 'deployment') {
      // v1 and MAI take the deployment name as the body's model: a model it does not know is a missing deployment.
      return {
        ...base,
        kind: 'deployment-not-found',
        stage: 'deployment',
        problem: `no deployment named '${context.deployment}' at ${context.host} (${said})`,
        fix: `set ${deploymentSetting} to a deployment listed under Deployments in the Foundry portal`,
      };
    }
    return {
      ...base,
      kind: 'model-mismatch',
      stage: 'model',
      problem: `the deployment '${context.deployment}' refused the model '${context.model}' (${said})`,
      fix: `set ${modelSetting} to the model that the deployment '${context.deployment}' serves (Foundry portal -> Deployments -> model name), never the deployment's name`,
    };
  }
  if (error instanceof RateLimitedError) {
    return {
      ...base,
      kind: 'rate-limited',
      stage: 'service',
      problem: `the deployment answered 429 (its quota is in use right now): ${said}`,
      fix: "nothing to fix if a run is going on; otherwise another client shares this deployment's quota",
    };
  }
  if (error instanceof InternalServerError) {
    return { ...base, kind: 'service-error', stage: 'service', problem: `the service failed (${said})`, fix: 'try again in a few minutes; see the Azure status page if it persists' };
  }
  return { ...base, kind: 'unexpected', stage: 'service', problem: said, fix: 'see the message; run `polyglyph check` again after fixing it' };
}

/** The `param` a 400 names (OpenAI's and the Foundry gateway's error shapes). */
export function badParam(error: APIError): string | undefined {
  const body = error.body as { error?: { param?: unknown } } | undefined;
  const param = body?.error?.param;
  return typeof param === 'string' ? param : undefined;
}

/** `@azure/identity` failures: no credential in the chain, or the token request refused (e.g. AADSTS500011, an unknown scope). */
function isCredentialError(error: unknown): boolean {
  const names = ['CredentialUnavailableError', 'AuthenticationRequiredError', 'AggregateAuthenticationError'];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (names.includes(current.name)) return true;
    // @azure/identity's AuthenticationError (a token endpoint refusal) carries errorResponse.
    if (current.name === 'AuthenticationError' && 'errorResponse' in current) return true;
  }
  return false;
}
