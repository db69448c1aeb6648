import { setTimeout as sleep } from 'node:timers/promises';
import { APIConnectionError, APIError, InvalidResponseError, isRateLimited } from '../errors/api-error.js';
import { isRetryable } from '../errors/retry-policy.js';
import type { AuthHeaders } from '../image-api/auth.js';
import type { ApiStyle } from '../image-api/endpoint.js';

/** One chat deployment on Azure OpenAI: where it is and how to reach it. */
export interface ChatClientOptions {
  /** Resource endpoint, e.g. `https://NAME.openai.azure.com` (with or without `/openai[/v1]`). */
  endpoint: string;
  deployment: string;
  apiStyle: ApiStyle;
  /** For deployment-style URLs. */
  apiVersion: string;
  auth: AuthHeaders;
  fetch?: typeof fetch;
  /** Per request. Default 60 s: a short text answers in seconds. */
  timeoutMs?: number;
  /** Attempts for 408/409/429/5xx and network failures. Default 4. */
  attempts?: number;
  /** Waits between attempts go through this (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
}

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** A JSON schema answer (structured outputs), strict: the model must produce exactly this shape. */
export interface JsonSchemaFormat {
  name: string;
  schema: Record<string, unknown>;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatAnswer {
  /** The parsed JSON the model answered with. */
  json: unknown;
  usage: ChatUsage | undefined;
  requestId: string | undefined;
}

/** Longest wait a `retry-after` is trusted for (Azure has sent 86400). */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Chat completions with structured output on Azure OpenAI (`response_format: json_schema`, strict),
 * deployment-style (`/openai/deployments/{d}/chat/completions?api-version=`) or v1
 * (`/openai/v1/chat/completions`, the deployment as `model`). Errors are the image client's classes
 * (APIError.generate) and are retried by the same policy (isRetryable).
 */
export class ChatClient {
  private readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ChatClientOptions) {
    const base = options.endpoint.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
    this.url =
      options.apiStyle === 'v1'
        ? `${base}/openai/v1/chat/completions`
        : `${base}/openai/deployments/${encodeURIComponent(options.deployment)}/chat/completions?api-version=${encodeURIComponent(options.apiVersion)}`;
    this.fetch = options.fetch ?? fetch;
  }

  async complete(messages: ChatMessage[], format: JsonSchemaFormat): Promise<ChatAnswer> {
    const body = JSON.stringify({
      ...(this.options.apiStyle === 'v1' ? { model: this.options.deployment } : {}),
      messages,
      response_format: { type: 'json_schema', json_schema: { name: format.name, strict: true, schema: format.schema } },
    });
    const attempts = this.options.attempts ?? 4;
    const wait = this.options.sleep ?? ((ms: number) => sleep(ms));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(body);
      } catch (error) {
        if (!isRetryable(error) || attempt >= attempts) throw error;
        const asked = error instanceof APIError ? error.retryAfterMs : undefined;
        await wait(asked !== undefined && asked <= MAX_RETRY_AFTER_MS ? asked : Math.min(MAX_RETRY_AFTER_MS, 1_000 * 2 ** (attempt - 1)) * (isRateLimited(error) ? 2 : 1));
      }
    }
  }

  private async once(body: string): Promise<ChatAnswer> {
    let response: Response;
    try {
      response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await this.options.auth()) },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      throw new APIConnectionError(`could not reach the translation deployment ${this.options.deployment}: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) throw APIError.generate(response.status, parsed, response.headers);
    const requestId = response.headers.get('apim-request-id') ?? response.headers.get('x-request-id') ?? undefined;
    const fields = { status: response.status, code: undefined, requestId, retryAfterMs: undefined, body: parsed };
    const invalid = (message: string): InvalidResponseError => new InvalidResponseError(message, 'invalid_response', requestId);
    const choice = (parsed as { choices?: Array<{ finish_reason?: string; message?: { content?: unknown; refusal?: unknown } }> } | undefined)?.choices?.[0];
    if (!choice?.message) throw invalid('the chat completion has no choices[0].message');
    if (typeof choice.message.refusal === 'string' && choice.message.refusal !== '') {
      throw new APIError(`the model refused: ${choice.message.refusal}`, { ...fields, code: 'translation_refused' });
    }
    if (choice.finish_reason === 'content_filter') throw new APIError('the answer was withheld by content filtering', { ...fields, status: 400, code: 'content_filter' });
    if (choice.finish_reason === 'length') throw invalid('the answer was cut off (finish_reason length)');
    if (typeof choice.message.content !== 'string') throw invalid('choices[0].message.content is not a string');
    let json: unknown;
    try {
      json = JSON.parse(choice.message.content);
    } catch {
      throw invalid('choices[0].message.content is not the JSON the response_format asked for');
    }
    const usage = (parsed as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }).usage;
    return {
      json,
      usage: typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number' ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } : undefined,
      requestId,
    };
  }
}
