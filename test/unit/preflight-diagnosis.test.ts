import { RestError } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { APIConnectionError, APIError, APITimeoutError } from '../../src/errors/api-error.js';
import { deploymentFault } from '../../src/errors/deployment-fault.js';
import { networkFailure } from '../../src/errors/network-failure.js';
import { breakerEffect } from '../../src/errors/retry-policy.js';
import { diagnoseFailure, type DeploymentContext } from '../../src/preflight/diagnosis.js';
import { quotaProblem } from '../../src/preflight/quota-figures.js';
import { diagnoseStorage } from '../../src/preflight/storage-diagnosis.js';

const context: DeploymentContext = {
  name: 'img-prod-eastus',
  deployment: 'img-prod-eastus',
  model: 'gpt-image-2',
  style: 'deployment',
  auth: { kind: 'key' },
  endpointSetting: 'AZURE_OPENAI_ENDPOINT',
  host: 'contoso.openai.azure.com',
  fromFile: false,
};
const entra: DeploymentContext = { ...context, auth: { kind: 'entra', scope: 'https://cognitiveservices.azure.com/.default' } };

function answer(status: number, body: unknown): APIError {
  return APIError.generate(status, body, new Headers());
}

function refused(code: string): APIConnectionError {
  return new APIConnectionError('image API request failed: fetch failed', { cause: Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) }) });
}

/** expect.stringContaining, typed (it is `any`, which the lint rules refuse inside objects). */
function containing(text: string): string {
  return expect.stringContaining(text) as unknown as string;
}

describe('diagnosis of a deployment failure', () => {
  it("names a refused Entra token (Entra's own {statusCode, message} body) with the scope the URL style implies", () => {
    // The body Azure sends for a refused token (IMAGE-API-FACTS.md; FlowiseAI/Flowise#710 quotes it).
    const error = answer(401, { statusCode: 401, message: 'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.' });
    const diagnosis = diagnoseFailure(error, entra);
    expect(diagnosis).toMatchObject({ kind: 'token-refused', stage: 'auth', status: 401 });
    expect(diagnosis.problem).toContain('https://cognitiveservices.azure.com/.default');
    expect(diagnosis.fix).toContain('POLYGLYPH_ENTRA_SCOPE');
    expect(diagnoseFailure(error, { ...entra, style: 'v1', auth: { kind: 'entra', scope: 'https://ai.azure.com/.default' } }).fix).toContain('v1 URLs take https://ai.azure.com/.default');
  });

  it('tells a wrong key, a missing role, a blocked resource, a missing deployment and a model that is no model apart', () => {
    expect(diagnoseFailure(answer(401, { error: { code: '401', message: 'Access denied due to invalid subscription key' } }), context)).toMatchObject({
      kind: 'wrong-key',
      fix: containing('AZURE_OPENAI_API_KEY'),
    });
    expect(diagnoseFailure(answer(403, { error: { code: 'PermissionDenied', message: 'The principal lacks the required data action' } }), entra)).toMatchObject({
      kind: 'forbidden',
      fix: containing('Cognitive Services OpenAI User'),
    });
    expect(
      diagnoseFailure(answer(403, { error: { code: '403', message: 'The resource has been temporarily blocked because we detected behavior that may violate our content policy.' } }), context).kind,
    ).toBe('blocked');
    expect(diagnoseFailure(answer(404, { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } }), { ...context, fromFile: true })).toMatchObject({
      kind: 'deployment-not-found',
      fix: containing('"deployment" of img-prod-eastus in the deployments file'),
    });
    const model = answer(400, { error: { code: 'invalid_value', param: 'model', type: 'image_generation_user_error', message: "The model 'img-prod-eastus' does not exist." } });
    expect(diagnoseFailure(model, context)).toMatchObject({ kind: 'model-mismatch', stage: 'model', fix: containing('AZURE_OPENAI_MODEL') });
    // On v1 the body's model is the deployment: the same refusal means no such deployment.
    expect(diagnoseFailure(model, { ...context, style: 'v1' }).kind).toBe('deployment-not-found');
  });

  it('names DNS, refused connections, TLS and timeouts, also behind an AggregateError of several addresses', () => {
    expect(diagnoseFailure(refused('ENOTFOUND'), context)).toMatchObject({ kind: 'dns', stage: 'endpoint' });
    expect(diagnoseFailure(refused('CERT_HAS_EXPIRED'), context).kind).toBe('tls');
    expect(diagnoseFailure(new APITimeoutError(30_000), context).kind).toBe('timeout');
    const both = new APIConnectionError('failed', {
      cause: Object.assign(new TypeError('fetch failed'), {
        cause: new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' }), Object.assign(new Error('b'), { code: 'ECONNREFUSED' })]),
      }),
    });
    expect(networkFailure(both)).toEqual({ kind: 'refused', code: 'ECONNREFUSED' });
    expect(diagnoseFailure(both, context)).toMatchObject({ kind: 'refused', problem: containing('contoso.openai.azure.com') });
  });

  it('says a missing Entra credential is one, not a refused token', () => {
    const unavailable = Object.assign(new Error('DefaultAzureCredential failed to retrieve a token'), { name: 'CredentialUnavailableError' });
    expect(diagnoseFailure(unavailable, entra)).toMatchObject({ kind: 'no-credential', fix: containing('az login') });
  });
});

describe('which failures stop a deployment (deploymentFault) and trip its breaker at once', () => {
  it('401, 403, 404 and an endpoint that refuses or does not resolve; not 5xx, 429, timeouts or content refusals', () => {
    expect(deploymentFault(answer(401, {}))).toBe('unauthenticated');
    expect(deploymentFault(answer(403, {}))).toBe('forbidden');
    expect(deploymentFault(answer(404, {}))).toBe('not-found');
    expect(deploymentFault(refused('ECONNREFUSED'))).toBe('unreachable');
    expect(deploymentFault(refused('ENOTFOUND'))).toBe('unreachable');
    expect(breakerEffect(refused('ECONNREFUSED'))).toBe('trip');
    for (const error of [answer(500, {}), answer(429, {}), answer(400, { error: { code: 'content_policy_violation' } }), new APITimeoutError(1_000), refused('ECONNRESET')]) {
      expect(deploymentFault(error), error.message).toBeUndefined();
    }
    expect(breakerEffect(refused('ECONNRESET'))).toBe('count');
  });
});

describe('storage diagnosis', () => {
  // The error Azure Storage returns for a SAS or a role without the operation's permission
  // (Microsoft Learn, "Blob Storage error codes": 403 AuthorizationPermissionMismatch); Azurite 3.35
  // returns the same for Set Blob Tags without `t` (test/integration/preflight-check.test.ts).
  const mismatch = new RestError('This request is not authorized to perform this operation using this permission.', { statusCode: 403, code: 'AuthorizationPermissionMismatch' });
  const tags = { what: 'set and read blob index tags', sasPermission: 't', role: '"Storage Blob Data Owner"' };

  it('a tags refusal is a missing tags permission: the SAS letter for a SAS, the Owner role for Entra ID', () => {
    expect(diagnoseStorage(mismatch, tags, false)).toMatchObject({ kind: 'missing-tags-permission', fix: containing("'t'") });
    expect(diagnoseStorage(mismatch, tags, true)).toMatchObject({ kind: 'missing-tags-permission', fix: containing('Storage Blob Data Owner') });
  });

  it('a wrong account key, a container that does not exist, a refused connection', () => {
    const step = { what: 'create a blob', sasPermission: 'c', role: 'Contributor' };
    expect(diagnoseStorage(new RestError('Server failed to authenticate the request.', { statusCode: 403, code: 'AuthenticationFailed' }), step, false).kind).toBe('wrong-key');
    expect(diagnoseStorage(new RestError('The specified container does not exist.', { statusCode: 404, code: 'ContainerNotFound' }), step, false).kind).toBe('container-not-found');
    expect(diagnoseStorage(new RestError('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' }), step, false).kind).toBe('refused');
  });
});

describe('quota plausibility', () => {
  it('warns above the highest published figure for the model (gpt-image-2 36/min, MAI 12/min), never for an unknown model', () => {
    expect(quotaProblem(36, 'gpt-image-2', 'azure-openai')).toBeUndefined();
    expect(quotaProblem(600, 'gpt-image-2', 'azure-openai')?.problem).toContain('600 images/min is above the highest published quota');
    expect(quotaProblem(20, 'MAI-Image-2e', 'mai')).toBeDefined();
    expect(quotaProblem(6_000, 'my-model', 'azure-openai')).toBeUndefined();
  });
});
