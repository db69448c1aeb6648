import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BadRequestError } from '../errors/api-error.js';
import { apiKeyAuth, type AuthHeaders } from '../image-api/auth.js';
import { HttpImageClient } from '../image-api/http-exchange.js';
import { badParam, diagnoseFailure, type Diagnosis } from './diagnosis.js';
import type { ResolvedDeployment } from './deployment-context.js';

/** A probe waits this long for an answer: a refusal comes back in well under a second. */
export const PROBE_TIMEOUT_MS = 30_000;

export const PROBE_PROMPT = 'polyglyph check: a request refused on purpose, before any image is generated';

/**
 * How a deployment is checked without paying. Azure offers no data-plane way to list deployments or
 * read the model one serves: the data-plane deployments API was retired in favour of the management
 * plane (Microsoft Q&A 1371786, "Get Azure OpenAi deployments in API", answer by a Microsoft
 * employee, 2023-09-26), and `GET /openai/models` lists the models a resource may deploy, not its
 * deployments. So the probe is a generation request the service must refuse at validation, after
 * authentication (401/403), routing to the deployment (404 DeploymentNotFound) and the check of the
 * body's `model` (400 invalid_value on `model`, openclaw/openclaw#71526), and before generating:
 *
 * - Azure OpenAI: `size: "1000x1000"`: gpt-image-2 takes only edges that are multiples of 16 (IMAGE-API-FACTS.md, from Azure's
 *   how-to, MicrosoftDocs/azure-ai-docs dall-e.md); gpt-image-1 and dall-e-3 take a fixed list. A size
 *   is model-level validation, so its refusal also says the body's model was accepted. Quality low
 *   and n 1, so a service that accepted it after all would bill the cheapest image (about $0.006).
 * - MAI: `width: 512, height: 512`: below the documented minimum of 768 ("Deploy and use MAI image
 *   models in Microsoft Foundry"). MAI checks the body before the deployment (as the stand-in
 *   assumes), so this proves the endpoint and the credentials, not the deployment.
 *
 * The stand-in answers both in the same order (src/mock-api/routes/generate.ts, mai-generate.ts).
 */
export type ProbeOutcome = { kind: 'refused-as-expected' } | { kind: 'refused-otherwise'; message: string } | { kind: 'generated' } | { kind: 'failed'; diagnosis: Diagnosis };

export interface ProbeOptions {
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch | undefined;
  /** Entra ID credential for deployments without a key. Default: DefaultAzureCredential. */
  credential?: TokenCredential | undefined;
  timeoutMs?: number | undefined;
}

/** The probe's request body: valid in every field but the one the service must refuse. */
export function probeBody(deployment: ResolvedDeployment): { body: Record<string, unknown>; refusedParams: string[] } {
  if (deployment.spec.provider === 'mai') {
    return { body: { model: deployment.bodyModel, prompt: PROBE_PROMPT, width: 512, height: 512 }, refusedParams: ['width', 'height'] };
  }
  return { body: { model: deployment.bodyModel, prompt: PROBE_PROMPT, size: '1000x1000', quality: 'low', n: 1 }, refusedParams: ['size'] };
}

/** Sends the refused-on-purpose request and says what its answer proves. Never throws. */
export async function probeDeployment(deployment: ResolvedDeployment, options: ProbeOptions = {}): Promise<ProbeOutcome> {
  const { body, refusedParams } = probeBody(deployment);
  try {
    const auth = await authFor(deployment, options);
    const client = new ProbeClient({
      url: deployment.url,
      bodyModel: deployment.bodyModel,
      auth,
      timeoutMs: options.timeoutMs ?? PROBE_TIMEOUT_MS,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    await client.send(body);
    return { kind: 'generated' };
  } catch (error) {
    if (error instanceof BadRequestError) {
      const param = badParam(error);
      if (param !== undefined && refusedParams.includes(param)) return { kind: 'refused-as-expected' };
      if (param !== 'model') return { kind: 'refused-otherwise', message: error.message };
    }
    return { kind: 'failed', diagnosis: diagnoseFailure(error, deployment.context) };
  }
}

/** Key auth, or a token fetched now, so that a missing credential is told apart from a refused one. */
async function authFor(deployment: ResolvedDeployment, options: ProbeOptions): Promise<AuthHeaders> {
  const key = deployment.spec.api.apiKey;
  if (key) return apiKeyAuth(key);
  const credential = options.credential ?? new DefaultAzureCredential();
  const token = await credential.getToken(deployment.scope);
  if (!token) throw Object.assign(new Error(`no token for ${deployment.scope}`), { name: 'CredentialUnavailableError' });
  const headers = { Authorization: `Bearer ${token.token}` };
  return () => Promise.resolve(headers);
}

/** The image clients' HTTP exchange (same auth, timeout and error typing), for one probe request. */
class ProbeClient extends HttpImageClient {
  protected readonly label = 'image API';

  async send(body: Record<string, unknown>): Promise<unknown> {
    const { json } = await this.post(this.url, JSON.stringify(body), { 'content-type': 'application/json' }, undefined);
    return json;
  }
}
