import type { MockResponse } from './http-io.js';

/**
 * Error answers in the shapes Azure OpenAI uses. Two families exist and clients must read both: the
 * gateway's `{error: {code, message}}` (404, 401, 429, 403, 5xx) and the OpenAI-style
 * `{error: {message, type, param, code}}` for request validation.
 */

/** The gateway's shape: `code` is often the HTTP status as a string. */
export function gatewayError(status: number, code: string, message: string, headers?: Record<string, string>): MockResponse {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

/** A 400 for a request the API understood but cannot accept, in OpenAI's shape. */
export function invalidRequest(message: string, param: string | null, code: string | null): MockResponse {
  return { status: 400, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

export function resourceNotFound(): MockResponse {
  return gatewayError(404, '404', 'Resource not found');
}

export function deploymentNotFound(): MockResponse {
  return gatewayError(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.');
}

export function unsupportedApiVersion(): MockResponse {
  return gatewayError(400, 'BadRequest', 'API version not supported');
}

export function missingCredentials(): MockResponse {
  return gatewayError(401, '401', 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.');
}

export function invalidCredentials(): MockResponse {
  return gatewayError(
    401,
    '401',
    'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  );
}

/** Azure's 429: `retry-after-ms` is what a careful client reads; `Retry-After` is whole seconds. */
export function rateLimited(retryAfterMs: number, apiVersion: string): MockResponse {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  const seconds = Math.ceil(ms / 1000);
  return gatewayError(
    429,
    '429',
    `Requests to the ImageGenerations_Create Operation under Azure OpenAI API version ${apiVersion} have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
    { 'retry-after-ms': String(ms), 'retry-after': String(seconds) },
  );
}

export function internalServerError(): MockResponse {
  return gatewayError(500, 'InternalServerError', 'The server had an error while processing your request.');
}

export function serviceUnavailable(): MockResponse {
  return gatewayError(503, 'ServiceUnavailable', 'The service is temporarily unable to process your request. Please try again later.', { 'retry-after': '1' });
}

export function resourceBlocked(): MockResponse {
  return gatewayError(403, '403', 'The resource has been temporarily blocked because we detected behavior that may violate our content policy.');
}

export function bodyTooLarge(limit: number): MockResponse {
  return gatewayError(413, 'RequestEntityTooLarge', `The request body is larger than ${limit} bytes.`);
}

/**
 * A body `model` that names no model, on a deployment-style URL (where Azure routes by the URL and a
 * deployment name in the body is "no model"). Body as public reports quote it: openclaw/openclaw#71526,
 * #71705, BerriAI/litellm#26316.
 */
export function modelDoesNotExist(name: string): MockResponse {
  return { status: 400, body: { error: { code: 'invalid_value', param: 'model', type: 'image_generation_user_error', message: `The model '${name}' does not exist.` } } };
}

/**
 * A bearer token Azure does not accept (invalid, expired, or for another audience). Entra failures
 * come back in this shape, not the `error` envelope, as public reports quote it
 * (FlowiseAI/Flowise#710, run-llama/llama_index#12484, Azure-Samples/azure-search-openai-demo#458).
 */
export function entraUnauthorized(audience: string): MockResponse {
  return { status: 401, body: { statusCode: 401, message: `Unauthorized. Access token is missing, invalid, audience is incorrect (${audience}), or have expired.` } };
}

/**
 * The 400 Azure has answered multipart edits with, intermittently, for requests that succeed when
 * sent again (openai/openai-python#2749, openai/openai-openapi#502): the body as reported there.
 */
export function unsupportedContentType(contentType: string): MockResponse {
  return invalidRequest(
    `Unsupported content type: '${contentType}'. This API method only accepts 'application/json' requests, but you specified the header 'Content-Type: ${contentType}'. Please try again with a supported content type.`,
    null,
    'unsupported_content_type',
  );
}
