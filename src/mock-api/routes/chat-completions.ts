import type { IncomingHttpHeaders } from 'node:http';
import { checkAuth, type MockCredentials } from '../auth.js';
import { bodyTooLarge, deploymentNotFound, invalidRequest, resourceNotFound, unsupportedApiVersion } from '../errors.js';
import { MAX_BODY_BYTES, type MockResponse } from '../http-io.js';
import { pseudoLocalize } from '../pseudo-localize.js';
import { resolveLocale } from '../../locales/registry.js';

/** `/openai/deployments/{d}/chat/completions` or `/openai/v1/chat/completions`. */
export type ChatRoute = { kind: 'chat'; style: 'deployment'; deployment: string; apiVersion: string | undefined } | { kind: 'chat'; style: 'v1'; apiVersion: string | undefined };

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions\/?$/;
const V1_PATH = /^\/openai\/v1\/chat\/completions\/?$/;

export function matchChatRoute(url: URL): ChatRoute | undefined {
  const apiVersion = url.searchParams.get('api-version') ?? undefined;
  const deployment = DEPLOYMENT_PATH.exec(url.pathname);
  if (deployment) return { kind: 'chat', style: 'deployment', deployment: decodeURIComponent(deployment[1]!), apiVersion };
  if (V1_PATH.test(url.pathname)) return { kind: 'chat', style: 'v1', apiVersion };
  return undefined;
}

export interface ChatContext {
  chatDeployments: ReadonlySet<string>;
  credentials: MockCredentials;
  now: () => number;
}

export interface ChatOutcome {
  answer: MockResponse;
  deployment: string;
}

const ROLES = new Set(['system', 'user', 'assistant', 'developer', 'tool']);
/** Azure/azure-rest-api-specs 2025-04-01-preview inference.json, ResponseFormatJsonSchema: `name` is a-z, A-Z, 0-9, _ and -, at most 64. */
const SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Chat completions as Azure answers them, for translations: auth, api-version, deployment, then the
 * body (messages; response_format, whose strict json_schema must follow the structured-outputs rules),
 * and an answer whose content is the JSON the schema asks for. The last user message is read as the
 * translator's JSON request (`text`, `target_locale`, `do_not_translate`, `glossary`); its text is
 * answered with a deterministic pseudo-localization in the target script (pseudo-localize.ts).
 */
export function handleChat(route: ChatRoute, incoming: { headers: IncomingHttpHeaders; body: Buffer | undefined }, context: ChatContext): ChatOutcome {
  let deployment = route.style === 'deployment' ? route.deployment : '';
  const finish = (answer: MockResponse): ChatOutcome => ({ answer, deployment });
  const denied = checkAuth(incoming.headers, context.credentials);
  if (denied) return finish(denied);
  // Deployment-style URLs cannot be routed without an api-version: Azure answers 404 (as for images).
  if (route.style === 'deployment' && route.apiVersion === undefined) return finish(resourceNotFound());
  if (route.apiVersion !== undefined && !/^\d{4}-\d{2}-\d{2}(-preview)?$|^(preview|latest)$/.test(route.apiVersion)) return finish(unsupportedApiVersion());
  if (incoming.body === undefined) return finish(bodyTooLarge(MAX_BODY_BYTES));
  if (incoming.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    return finish(invalidRequest(`Invalid Content-Type header (${incoming.headers['content-type'] ?? 'none'}), expected application/json.`, null, 'invalid_content_type'));
  }
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(incoming.body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return finish(
      invalidRequest(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        null,
        null,
      ),
    );
  }
  if (route.style === 'v1') {
    // openai-openapi CreateChatCompletionRequest: `model` is required; on Azure's v1 surface it names the deployment.
    if (typeof body.model !== 'string') return finish(invalidRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter'));
    deployment = body.model;
  }
  if (!context.chatDeployments.has(deployment)) return finish(deploymentNotFound());

  // inference.json createChatCompletionRequest: `messages` is required, at least one.
  const messages = body.messages;
  if (messages === undefined) return finish(invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter'));
  if (!Array.isArray(messages) || messages.length === 0)
    return finish(invalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array'));
  for (const [index, message] of messages.entries()) {
    const role = (message as { role?: unknown } | null)?.role;
    if (typeof role !== 'string' || !ROLES.has(role))
      return finish(invalidRequest(`Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'.`, `messages[${index}].role`, 'invalid_value'));
    if (typeof (message as { content?: unknown }).content !== 'string')
      return finish(invalidRequest(`Invalid type for 'messages[${index}].content': expected a string.`, `messages[${index}].content`, 'invalid_type'));
  }
  const formatProblem = checkResponseFormat(body.response_format);
  if (formatProblem) return finish(formatProblem);

  const user = [...(messages as Array<{ role: string; content: string }>)].reverse().find((message) => message.role === 'user');
  const translation = translate(user?.content ?? '');
  const content = (body.response_format as { type?: string } | undefined)?.type === 'json_schema' ? JSON.stringify({ translation }) : translation;
  const promptTokens = Math.ceil(messages.reduce((sum: number, message: { content: string }) => sum + message.content.length, 0) / 4);
  const completionTokens = Math.ceil(content.length / 2);
  return finish({
    status: 200,
    body: {
      id: `chatcmpl-standin${context.now().toString(36)}`,
      object: 'chat.completion',
      created: Math.floor(context.now() / 1000),
      model: deployment,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal: null } }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    },
  });
}

/**
 * response_format: `text`, `json_object` or `json_schema`. A strict json_schema follows OpenAI's
 * structured-outputs rules, which Azure enforces with the same message (public reports: Azure answers
 * "Invalid schema for response_format '<name>': In context=(), 'additionalProperties' is required to be
 * supplied and to be false." with type invalid_request_error, param response_format; dottxt-ai/outlines#844,
 * moeru-ai/xsai#202): every object sets additionalProperties false and requires all its properties.
 */
function checkResponseFormat(format: unknown): MockResponse | undefined {
  if (format === undefined || format === null) return undefined;
  const type = (format as { type?: unknown }).type;
  if (type === 'text' || type === 'json_object') return undefined;
  if (type !== 'json_schema') return invalidRequest(`Invalid value: '${String(type)}'. Supported values are: 'text', 'json_object', and 'json_schema'.`, 'response_format.type', 'invalid_value');
  const spec = (format as { json_schema?: unknown }).json_schema as { name?: unknown; strict?: unknown; schema?: unknown } | undefined;
  if (typeof spec !== 'object' || spec === null) return invalidRequest("Missing required parameter: 'response_format.json_schema'.", 'response_format.json_schema', 'missing_required_parameter');
  if (typeof spec.name !== 'string' || !SCHEMA_NAME.test(spec.name))
    return invalidRequest(
      `Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
      'response_format.json_schema.name',
      'invalid_value',
    );
  if (spec.strict !== true) return undefined;
  const problem = strictProblem(spec.schema, []);
  return problem === undefined
    ? undefined
    : invalidRequest(`Invalid schema for response_format '${spec.name}': In context=(${problem.context.map((part) => `'${part}'`).join(', ')}), ${problem.message}`, 'response_format', null);
}

function strictProblem(schema: unknown, context: string[]): { context: string[]; message: string } | undefined {
  if (typeof schema !== 'object' || schema === null) return { context, message: 'schema must be a JSON Schema of \'type: "object"\'.' };
  const node = schema as { type?: unknown; properties?: Record<string, unknown>; required?: unknown; additionalProperties?: unknown; items?: unknown };
  if (node.type === 'object') {
    if (node.additionalProperties !== false) return { context, message: "'additionalProperties' is required to be supplied and to be false." };
    const keys = Object.keys(node.properties ?? {});
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = keys.find((key) => !required.includes(key));
    if (missing !== undefined) return { context, message: `'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.` };
    for (const key of keys) {
      const inner = strictProblem(node.properties![key], [...context, 'properties', key]);
      if (inner) return inner;
    }
  }
  if (node.type === 'array' && node.items !== undefined) return strictProblem(node.items, [...context, 'items']);
  return undefined;
}

/** The translator's JSON request, or plain text (translated into Japanese, the first locale, when no locale is named). */
function translate(content: string): string {
  let request: { text?: unknown; target_locale?: unknown; do_not_translate?: unknown; glossary?: unknown } = {};
  try {
    request = JSON.parse(content) as typeof request;
  } catch {
    request = { text: content };
  }
  const text = typeof request.text === 'string' ? request.text : content;
  const locale = resolveLocale(typeof request.target_locale === 'string' ? request.target_locale : 'ja') ?? 'ja';
  const keep = Array.isArray(request.do_not_translate) ? request.do_not_translate.filter((term): term is string => typeof term === 'string') : [];
  // Glossary renderings replace their source terms first, then are kept as they are.
  let source = text;
  const renderings: string[] = [];
  if (typeof request.glossary === 'object' && request.glossary !== null) {
    for (const [term, rendering] of Object.entries(request.glossary as Record<string, unknown>)) {
      if (typeof rendering !== 'string') continue;
      source = source.split(term).join(rendering);
      renderings.push(rendering);
    }
  }
  return pseudoLocalize(source, locale, [...keep, ...renderings]);
}
