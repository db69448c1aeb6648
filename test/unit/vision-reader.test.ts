import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { APIError } from '../../src/errors/api-error.js';
import { ContentPolicyError, InvalidResponseError, RateLimitedError } from '../../src/errors/api-error.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';
import { evaluateReading } from '../../src/text-check/evaluate-reading.js';
import { parseMaxCer } from '../../src/text-check/max-cer.js';
import { readAndScore } from '../../src/text-check/read-and-score.js';
import type { TextReader, TextReading } from '../../src/text-check/text-reader.js';
import { VisionReader } from '../../src/text-check/vision-reader.js';
import { caught } from '../helpers/caught.js';

/**
 * The vision engine against a local HTTP server that plays Azure OpenAI's chat completions: it
 * records what the reader sent and answers what each test sets, in Azure's shapes (the chat
 * completion object; `refusal` for structured-output refusals; `finish_reason: content_filter` with
 * no content when the output filter stops an answer; error bodies `{ error: { code, message } }`).
 * The stand-in's own chat route only answers translations (string content), so it cannot play this.
 */
const KEY = 'vision-key-0123456789abcdef';
const DEPLOYMENT = 'gpt-4.1-vision';
const API_VERSION = '2025-04-01-preview';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
let answer: { status: number; body: unknown; headers?: Record<string, string> } = { status: 200, body: {} };

function completion(message: Record<string, unknown>, finishReason = 'stop'): Record<string, unknown> {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_764_000_000,
    model: 'gpt-4.1-2025-04-14',
    choices: [{ index: 0, finish_reason: finishReason, message: { role: 'assistant', ...message }, content_filter_results: {} }],
    usage: { prompt_tokens: 812, completion_tokens: 14, total_tokens: 826 },
  };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      response.writeHead(answer.status, { 'content-type': 'application/json', 'apim-request-id': 'req-vision-1', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
});

function reader(): VisionReader {
  return VisionReader.fromSettings({ endpoint: `${endpoint}/`, visionDeployment: DEPLOYMENT, apiVersion: API_VERSION, apiKey: KEY, requestTimeoutMs: 20_000 });
}

/** A wide PNG, so the request's scaling to at most 1536 px shows (made once). */
let wide: Promise<Buffer> | undefined;
function image(): Promise<Buffer> {
  wide ??= sharp({ create: { width: 3072, height: 1024, channels: 4, background: { r: 200, g: 30, b: 90, alpha: 1 } } })
    .png()
    .toBuffer();
  return wide;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the read to fail');
}

describe('vision engine: request and answer handling', () => {
  it('asks the deployment for a strict structured transcription with the image as a data URL, and returns the text', async () => {
    answer = { status: 200, body: completion({ content: JSON.stringify({ text: '春のセール 最大50%オフ' }), refusal: null }) };
    const reading = await reader().read(await image(), 'ja');
    expect(reading).toEqual({ text: '春のセール 最大50%オフ', engine: `vision:${DEPLOYMENT}` });

    expect(seen).toHaveLength(1);
    const request = seen[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${API_VERSION}`);
    expect(request.headers['api-key']).toBe(KEY);
    expect(request.headers['content-type']).toBe('application/json');
    // The deployment picks the model on a deployment-style URL: the body names none.
    expect(request.body).not.toHaveProperty('model');
    expect(request.body.temperature).toBe(0);
    expect(request.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'transcription', strict: true, schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false } },
    });
    const messages = request.body.messages as Array<{ role: string; content: unknown }>;
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
    const parts = messages[1]!.content as Array<{ type: string; text?: string; image_url?: { url: string; detail: string } }>;
    expect(parts.find((part) => part.type === 'text')?.text).toContain('Japanese');
    const picture = parts.find((part) => part.type === 'image_url')!.image_url!;
    expect(picture.detail).toBe('high');
    const match = /^data:image\/jpeg;base64,([A-Za-z0-9+/=]+)$/.exec(picture.url);
    expect(match).not.toBeNull();
    const sent = await sharp(Buffer.from(match![1]!, 'base64')).metadata();
    expect({ format: sent.format, width: sent.width, height: sent.height }).toEqual({ format: 'jpeg', width: 1536, height: 512 });
    // The key travels in its header only.
    expect(request.url).not.toContain(KEY);
    expect(JSON.stringify(request.body)).not.toContain(KEY);
  });

  it('turns a structured-output refusal into a clear failure naming the refusal', async () => {
    answer = { status: 200, body: completion({ content: null, refusal: "I'm sorry, I can't help with that request." }) };
    const error = await failure(reader().read(await image(), 'ko'));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as APIError).code).toBe('vision_refusal');
    expect(error.message).toBe("the vision model refused to transcribe: I'm sorry, I can't help with that request.");
    expect((error as APIError).requestId).toBe('req-vision-1');
  });

  it('says so when the output filter stopped the answer', async () => {
    answer = { status: 200, body: completion({ content: null, refusal: null }, 'content_filter') };
    const error = await failure(reader().read(await image(), 'hi'));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as APIError).code).toBe('content_filter');
    expect(error.message).toMatch(/content filter/);
  });

  it('fails clearly on an answer that is not the transcription JSON, or was cut off', async () => {
    answer = { status: 200, body: completion({ content: 'The image says: 春のセール', refusal: null }) };
    const prose = await failure(reader().read(await image(), 'ja'));
    expect(prose).toBeInstanceOf(InvalidResponseError);
    expect(prose.message).toBe('the vision model did not answer with the transcription JSON');

    answer = { status: 200, body: completion({ content: '{"text": "春のセ', refusal: null }, 'length') };
    const cut = await failure(reader().read(await image(), 'ja'));
    expect(cut).toBeInstanceOf(InvalidResponseError);
    expect(cut.message).toMatch(/cut off/);

    answer = { status: 200, body: completion({ content: JSON.stringify({ words: ['春'] }), refusal: null }) };
    expect((await failure(reader().read(await image(), 'ja'))).message).toBe('the vision model\'s JSON has no "text" string');

    answer = { status: 200, body: { id: 'x', object: 'chat.completion', choices: [] } };
    expect((await failure(reader().read(await image(), 'ja'))).message).toBe('the vision chat API answered without message content');
  });

  it('maps Azure error answers to typed errors, with no credential in the message', async () => {
    answer = {
      status: 400,
      body: { error: { code: 'content_filter', message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", param: 'prompt', status: 400 } },
    };
    const filtered = await failure(reader().read(await image(), 'bn'));
    expect(filtered).toBeInstanceOf(ContentPolicyError);

    answer = { status: 429, body: { error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit.' } }, headers: { 'retry-after': '7' } };
    const limited = await failure(reader().read(await image(), 'zh-Hans'));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as APIError).retryAfterMs).toBe(7000);

    answer = { status: 401, body: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } } };
    const denied = await failure(reader().read(await image(), 'zh-Hant'));
    expect((denied as APIError).status).toBe(401);

    for (const error of [filtered, limited, denied]) {
      expect(error.message).not.toContain(KEY);
      expect(JSON.stringify(error)).not.toContain(KEY);
    }
  });

  it('refuses to start without a deployment or an endpoint, saying what to set', () => {
    for (const settings of [{ endpoint }, { visionDeployment: DEPLOYMENT }]) {
      const error = caught(() => VisionReader.fromSettings({ ...settings, apiVersion: API_VERSION, requestTimeoutMs: 1000 }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/needs a vision-capable chat deployment and the resource endpoint/);
      expect((error as ConfigError).hint).toMatch(/POLYGLYPH_VISION_DEPLOYMENT .*AZURE_OPENAI_ENDPOINT/);
    }
  });

  it('as the second opinion on a flagged image: its transcription counts when nearer; its refusal leaves the first reading, named', async () => {
    const flagging: TextReader = { engine: 'tesseract', read: () => Promise.resolve({ text: '和夏李新品上市', engine: 'tesseract' }) };
    const score = (reading: TextReading) => evaluateReading({ locale: 'zh-Hant', expected: '夏季新品上市', read: reading.text, engine: reading.engine, maxCer: parseMaxCer(undefined) });

    answer = { status: 200, body: completion({ content: JSON.stringify({ text: '夏季新品上市' }), refusal: null }) };
    const mended = await readAndScore([flagging, reader()], await image(), 'zh-Hant', score);
    expect(mended).toMatchObject({ status: 'ok', cer: 0, engine: `vision:${DEPLOYMENT}`, readings: 2 });

    answer = { status: 200, body: completion({ content: null, refusal: 'I cannot help with that.' }) };
    const refused = await readAndScore([flagging, reader()], await image(), 'zh-Hant', score);
    expect(refused).toMatchObject({ status: 'needs_review', engine: 'tesseract', readText: '和夏李新品上市', laterReadingFailed: 'the vision model refused to transcribe: I cannot help with that.' });
    expect(JSON.stringify(refused)).not.toContain(KEY);
  });
});
