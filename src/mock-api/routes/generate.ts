import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { imageSize } from 'image-size';
import { checkAuth, type MockCredentials } from '../auth.js';
import type { DeploymentRegistry } from '../deployment-registry.js';
import { containsBlockedTerm, contentPolicyViolation } from '../content-filter.js';
import { bodyTooLarge, deploymentNotFound, invalidRequest, modelDoesNotExist, rateLimited } from '../errors.js';
import { GATEWAY_FAULTS, faultResponse, isOutputFault, type FaultSchedule } from '../faults.js';
import { MAX_BODY_BYTES, NO_ANSWER, type MockResponse } from '../http-io.js';
import type { DeploymentQuota } from '../quota.js';
import type { ImageRenderer } from '../render-image.js';
import type { MockSettings } from '../settings.js';
import type { AnsweredGeneration } from '../stats.js';
import { renderOutput, successBody, truncated } from './generation-output.js';
import { checkApiVersion, versionLabel, type GenerationRoute } from './match-route.js';
import { describeBody, validateGenerationBody } from './validation.js';

export interface GenerationContext {
  settings: MockSettings;
  deployments: DeploymentRegistry;
  credentials: MockCredentials;
  quota: DeploymentQuota;
  faults: FaultSchedule;
  renderer: ImageRenderer;
  random: () => number;
  now: () => number;
  /** Aborted when the server closes, so no request sits out its latency after that. */
  closing: AbortSignal;
}

export interface GenerationOutcome extends Omit<AnsweredGeneration, 'status'> {
  answer: MockResponse | typeof NO_ANSWER;
}

/**
 * One generation request, checked in the order Azure's layers apply: auth, route and deployment,
 * body, quota, then generation (faults, latency, content filter). The quota comes before faults so
 * a refused request does not use up a one-shot fault meant for an admitted one.
 */
export async function handleGeneration(route: GenerationRoute, incoming: { headers: IncomingHttpHeaders; body: Buffer | undefined }, context: GenerationContext): Promise<GenerationOutcome> {
  const trace: Omit<AnsweredGeneration, 'status' | 'imagesReturned' | 'garbled'> = {
    operation: route.operation,
    deployment: route.style === 'deployment' ? route.deployment : '',
    n: 1,
    size: 'auto',
    prompt: '',
    parameters: {},
  };
  const finish = (answer: MockResponse | typeof NO_ANSWER, imagesReturned = 0, garbled: number[] = []): GenerationOutcome => ({ ...trace, answer, imagesReturned, garbled });

  const denied = checkAuth(incoming.headers, context.credentials) ?? checkApiVersion(route);
  if (denied) return finish(denied);
  // Azure's gateway routes a deployment URL before it reads the body: an unknown deployment is a 404 whatever the body says.
  if (route.style === 'deployment' && !context.deployments.has(route.deployment)) return finish(deploymentNotFound());
  if (incoming.body === undefined) return finish(bodyTooLarge(MAX_BODY_BYTES));

  const parsed = route.operation === 'edits' ? await parseEditBody(incoming.headers['content-type'], incoming.body) : parseJsonBody(incoming.headers['content-type'], incoming.body);
  if ('refused' in parsed) return finish(parsed.refused);
  const { body, image: master } = parsed;
  Object.assign(trace, describeBody(body));
  // On v1 the body's model names the deployment: logged as such even when it names none.
  if (route.style === 'v1' && typeof body.model === 'string') trace.deployment = body.model;
  const modelProblem = checkBodyModel(route, body.model, context.deployments);
  if (modelProblem) return finish(modelProblem);

  const request = validateGenerationBody(body, route.operation);
  if ('status' in request) return finish(request);

  const admission = context.quota.admit(trace.deployment, request.n);
  if (!admission.admitted) return finish(rateLimited(admission.retryAfterMs, versionLabel(route)));

  const { settings } = context;
  const fault = context.faults.next(settings.faultRates);
  if (fault === 'hang') return finish(NO_ANSWER);
  const faulted = fault === undefined ? undefined : faultResponse(fault, versionLabel(route), incoming.headers['content-type']);
  if (fault !== undefined && faulted && GATEWAY_FAULTS.has(fault)) return finish(faulted);

  await sleep(settings.latencyMs + context.random() * settings.latencyJitterMs, undefined, { signal: context.closing });
  if (faulted) return finish(faulted);
  if (containsBlockedTerm(request.prompt, settings.blockedTerms)) return finish(contentPolicyViolation());

  const outputFault = isOutputFault(fault) ? fault : undefined;
  const { images, garbled } = await renderOutput(request, context.renderer, outputFault, master, settings.imageFill);
  const success = successBody(request, images, Math.floor(context.now() / 1000));
  if (outputFault === 'malformed') return finish({ status: 200, text: truncated(success) });
  return finish({ status: 200, body: success }, images.length, garbled);
}

/**
 * The body's `model`, by URL style:
 * - v1 (`/openai/v1/...`): required, and it names the deployment (Microsoft's v1 API docs; the
 *   facts sheet): a name that is no deployment, such as the base model name when the deployment is
 *   named otherwise, is Azure's 404 DeploymentNotFound.
 * - deployment URLs: optional (Azure's 2025-04-01-preview examples image_generation.yaml and
 *   image_edits.json send none); when sent it must name a model: a deployment name there is
 *   `400 invalid_value "The model 'NAME' does not exist."` (openclaw/openclaw#71526, #71705,
 *   BerriAI/litellm#26316).
 */
function checkBodyModel(route: GenerationRoute, model: unknown, deployments: DeploymentRegistry): MockResponse | undefined {
  if (route.style === 'v1') {
    if (model === undefined || model === null) return invalidRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
    if (typeof model !== 'string') return invalidRequest("Invalid type for 'model': expected a string.", 'model', 'invalid_type');
    return deployments.has(model) ? undefined : deploymentNotFound();
  }
  if (model === undefined || model === null) return undefined;
  if (typeof model !== 'string') return invalidRequest("Invalid type for 'model': expected a string.", 'model', 'invalid_type');
  return deployments.isModel(model) ? undefined : modelDoesNotExist(model);
}

/**
 * The edits endpoint's multipart form: an `image` file and the same fields as a generation, as
 * strings. Numbers are read back as numbers so the shared validation applies unchanged. The image
 * must be "a png, or jpg file less than 25MB" (Azure OpenAI REST reference, 2025-04-01-preview; a
 * later one says 50MB: the stand-in holds clients to the smaller).
 */
async function parseEditBody(contentType: string | undefined, raw: Buffer): Promise<{ body: Record<string, unknown>; image: Buffer } | { refused: MockResponse }> {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'multipart/form-data') return refuse(`Invalid Content-Type header (${contentType ?? 'none'}), expected multipart/form-data.`, null, 'invalid_content_type');
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType! } }).formData();
  } catch {
    return refuse('Could not parse the multipart form body.', null, null);
  }
  const body: Record<string, unknown> = {};
  let image: Buffer | undefined;
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') {
      if (name === 'image' || name === 'image[]') image = Buffer.from(await value.arrayBuffer());
      continue;
    }
    body[name] = ['n', 'output_compression'].includes(name) && /^\d+$/.test(value) ? Number(value) : value;
  }
  if (!image) return refuse("Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
  const format = imageFormat(image);
  if (!format) return refuse("Invalid image file: 'image' must be a png or jpeg image.", 'image', 'invalid_image_format');
  if (image.length > MAX_EDIT_IMAGE_BYTES) return refuse(`Invalid image file: 'image' must be less than 25MB, got ${image.length} bytes.`, 'image', 'image_too_large');
  // The master creative: the localized text is drawn onto it.
  return { body, image };
}

const MAX_EDIT_IMAGE_BYTES = 25 * 1_048_576;

function imageFormat(bytes: Buffer): string | undefined {
  try {
    const type = imageSize(bytes).type;
    return type === 'png' || type === 'jpg' ? type : undefined;
  } catch {
    return undefined;
  }
}

function parseJsonBody(contentType: string | undefined, raw: Buffer): { body: Record<string, unknown>; image?: undefined } | { refused: MockResponse } {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return refuse(`Invalid Content-Type header (${contentType ?? 'none'}), expected application/json.`, null, 'invalid_content_type');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return refuse(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      null,
      null,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return refuse('The request body must be a JSON object.', null, 'invalid_type');
  }
  return { body: parsed as Record<string, unknown> };
}

function refuse(message: string, param: string | null, code: string | null): { refused: MockResponse } {
  return { refused: invalidRequest(message, param, code) };
}
