/** A recorded request made through `replayFetch`. */
export interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type ReplayStep = { status: number; body: unknown; headers?: Record<string, string> } | { networkError: string };

/**
 * An injected `fetch` that answers with a scripted sequence of responses (429, 500, ...), as
 * openai-node's tests do, and records what the client sent.
 */
export function replayFetch(steps: ReplayStep[]): { fetch: typeof fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const queue = [...steps];
  const fake = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    requests.push({ url: input instanceof Request ? input.url : String(input), headers, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    const step = queue.shift();
    if (!step) return Promise.reject(new Error('replayFetch: no more scripted responses'));
    if ('networkError' in step) return Promise.reject(new TypeError('fetch failed', { cause: new Error(step.networkError) }));
    const body = typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
    return Promise.resolve(new Response(body, { status: step.status, headers: { 'content-type': 'application/json', ...step.headers } }));
  };
  return { fetch: fake as typeof fetch, requests };
}
