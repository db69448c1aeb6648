import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkAuth } from '../auth.js';
import { containsBlockedTerm, contentFilterResults } from '../content-filter.js';
import { bodyTooLarge, deploymentNotFound, rateLimited } from '../errors.js';
import { GATEWAY_FAULTS, faultResponse, isOutputFault } from '../faults.js';
import { MAX_BODY_BYTES, NO_ANSWER, type MockResponse } from '../http-io.js';
import { MAI_RULES, maiDimensionsProblem } from '../mai-rules.js';
import { textToDraw } from '../prompt-text.js';
import type { AnsweredGeneration } from '../stats.js';
import type { GenerationContext, GenerationOutcome } from './generate.js';
import { truncated } from './generation-output.js';
import type { MaiGenerationRoute } from './mai-route.js';

/** A MAI generation body that passed validation. */
interface MaiRequest {
  model: string;
  prompt: string;
  width: number;
  height: number;
}

/**
 * One MAI generation, checked in the order the service's layers apply (auth, body, deployment,
 * quota, then faults, latency and the content filter), answering with one PNG of exactly the asked
 * width and height: MAI's body is `{model, prompt, width, height}`, its answer `data[0].b64_json`.
 * The quota, faults, latency and blocked terms are the stand-in's, shared with the OpenAI routes.
 */
export async function handleMaiGeneration(route: MaiGenerationRoute, incoming: { headers: IncomingHttpHeaders; body: Buffer | undefined }, context: GenerationContext): Promise<GenerationOutcome> {
  const trace: Omit<AnsweredGeneration, 'status' | 'imagesReturned' | 'garbled'> = { operation: 'generations', deployment: '', n: 1, size: '', prompt: '', parameters: {} };
  const finish = (answer: MockResponse | typeof NO_ANSWER, imagesReturned = 0, garbled: number[] = []): GenerationOutcome => ({ ...trace, answer, imagesReturned, garbled });

  const denied = checkAuth(incoming.headers, context.credentials);
  if (denied) return finish(denied);
  if (incoming.body === undefined) return finish(bodyTooLarge(MAX_BODY_BYTES));
  const read = parseBody(incoming.headers['content-type'], incoming.body);
  if ('refused' in read) return finish(read.refused);
  const parsed = read.body;
  const { prompt, ...parameters } = parsed;
  Object.assign(trace, {
    prompt: typeof prompt === 'string' ? prompt : '',
    size: typeof parsed.width === 'number' && typeof parsed.height === 'number' ? `${parsed.width}x${parsed.height}` : '',
    deployment: typeof parsed.model === 'string' ? parsed.model : '',
    parameters,
  });

  const request = validateMaiBody(parsed);
  if ('status' in request) return finish(request);
  if (!context.deployments.has(request.model)) return finish(deploymentNotFound());

  const admission = context.quota.admit(request.model, 1);
  if (!admission.admitted) return finish(rateLimited(admission.retryAfterMs, route.apiVersion ?? 'mai-v1'));

  const { settings } = context;
  const fault = context.faults.next(settings.faultRates);
  if (fault === 'hang') return finish(NO_ANSWER);
  // A content-filter fault answers in MAI's content-filter shape, like a blocked prompt.
  const faulted = fault === undefined ? undefined : fault === 'content-filter' ? contentFiltered() : faultResponse(fault, route.apiVersion ?? 'mai-v1');
  if (fault !== undefined && faulted && GATEWAY_FAULTS.has(fault)) return finish(faulted);

  await sleep(settings.latencyMs + context.random() * settings.latencyJitterMs, undefined, { signal: context.closing });
  if (faulted) return finish(faulted);
  if (containsBlockedTerm(request.prompt, settings.blockedTerms)) return finish(contentFiltered());

  const outputFault = isOutputFault(fault) ? fault : undefined;
  // wrong-size: another size than asked; wrong-format: a JPEG where MAI always answers PNG.
  const width = outputFault === 'wrong-size' ? (request.width === 1024 ? 1360 : 1024) : request.width;
  const height = outputFault === 'wrong-size' ? (request.height === 1024 ? 768 : 1024) : request.height;
  const format = outputFault === 'wrong-format' ? 'jpeg' : 'png';
  const garbled = outputFault === 'garbled-text';
  const text = textToDraw(request.prompt, 0, garbled);
  const image = await context.renderer.render({ width, height, format, compression: undefined, background: 'auto', prompt: request.prompt, variant: 0, text, fill: settings.imageFill });
  const success = {
    created: Math.floor(context.now() / 1000),
    // fewer-images: one image per request, so one fewer is none.
    data: outputFault === 'fewer-images' ? [] : [{ b64_json: image.toString('base64') }],
    // Undocumented for MAI; these are the names seen in MAI answers. Clients must treat usage as optional.
    usage: { num_input_text_tokens: Math.max(1, Math.round(request.prompt.length / 4)), num_output_tokens: Math.round((request.width * request.height) / 1024) },
  };
  if (outputFault === 'malformed') return finish({ status: 200, text: truncated(success) });
  return finish({ status: 200, body: success }, success.data.length, garbled && text && success.data.length > 0 ? [0] : []);
}

/** A 400 in the shape the Foundry gateway uses: `{error: {code, message, param}}`. */
function invalid(message: string, param: string | null, code: string): MockResponse {
  return { status: 400, body: { error: { code, message, param } } };
}

/** A prompt refused by Foundry's content filter. */
function contentFiltered(): MockResponse {
  return {
    status: 400,
    body: {
      error: {
        code: 'content_filter',
        message: "The response was filtered due to the prompt triggering Azure's content management policy.",
        param: 'prompt',
        innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: contentFilterResults(true) },
      },
    },
  };
}

function parseBody(contentType: string | undefined, raw: Buffer): { body: Record<string, unknown> } | { refused: MockResponse } {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') return { refused: invalid(`Invalid Content-Type header (${contentType ?? 'none'}), expected application/json.`, null, 'invalid_content_type') };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return { refused: invalid('The request body is not valid JSON.', null, 'invalid_json') };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { refused: invalid('The request body must be a JSON object.', null, 'invalid_type') };
  return { body: parsed as Record<string, unknown> };
}

/** MAI's rules: the first problem wins and names its parameter. OpenAI's fields (`size`, `n`, `quality`, ...) are unknown here. */
function validateMaiBody(body: Record<string, unknown>): MaiRequest | MockResponse {
  const unknown = Object.keys(body).find((key) => !(MAI_RULES.fields as readonly string[]).includes(key));
  if (unknown !== undefined) {
    const hint = unknown === 'size' ? " MAI takes 'width' and 'height'." : '';
    return invalid(`Invalid parameters: '${unknown}' is not supported.${hint}`, unknown, 'unknown_parameter');
  }
  const { model, prompt, width, height } = body;
  if (model === undefined || model === null) return invalid("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (typeof model !== 'string' || model === '') return invalid("Invalid 'model': expected the deployment name.", 'model', 'invalid_type');
  if (prompt === undefined || prompt === null) return invalid("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  if (typeof prompt !== 'string' || prompt.trim() === '') return invalid("Invalid 'prompt': expected a non-empty string.", 'prompt', 'invalid_type');
  if (prompt.length > MAI_RULES.maxPromptChars) return invalid(`Invalid 'prompt': at most ${MAI_RULES.maxPromptChars} characters, got ${prompt.length}.`, 'prompt', 'string_above_max_length');
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (value === undefined || value === null) return invalid(`Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
    if (typeof value !== 'number' || !Number.isInteger(value)) return invalid(`Invalid '${name}': expected an integer.`, name, 'invalid_type');
  }
  const problem = maiDimensionsProblem(width as number, height as number);
  if (problem) return invalid(`Invalid size ${String(width)}x${String(height)}: ${problem}.`, 'width', 'invalid_value');
  return { model, prompt, width: width as number, height: height as number };
}
