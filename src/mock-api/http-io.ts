import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer, before it is written. `text` replaces the JSON body (for the malformed-body fault). */
export interface MockResponse {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** The stand-in was told to keep the request open and never answer. */
export const NO_ANSWER = Symbol('no answer');

/** Far above any valid generation body (a 32,000-character prompt), small enough to refuse abuse cheaply. */
export const MAX_BODY_BYTES = 1_048_576;

/** The edits endpoint takes images up to 50 MB, plus the form's other fields. */
export const MAX_EDIT_BODY_BYTES = 51 * 1_048_576;

/** Reads the whole body, or returns `undefined` as soon as it exceeds `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    length += buffer.length;
    if (length > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Writes an answer with the headers Azure puts on every response. */
export function sendResponse(response: ServerResponse, answer: MockResponse, requestId: string): void {
  if (response.destroyed) return;
  const payload = answer.text ?? JSON.stringify(answer.body ?? {});
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'apim-request-id': requestId,
    'x-request-id': requestId,
    ...answer.headers,
  });
  response.end(payload);
}
