// What users write without Polyglyph, against the same stand-in: the two baselines the bench
// compares with. Written plainly on purpose; they are the yardstick, not something to optimise.
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { baselinePrompt, type BenchItem } from './manifest.js';
import { API_KEY, DEPLOYMENT } from './stand-in.js';

export interface BaselineOutcome {
  /** Epoch ms just before the first request. */
  startedAt: number;
  failedItems: number;
  /** The scenario ran past its deadline; unfinished items count as failed. */
  timedOut: boolean;
}

/** The body a user copies from the docs: the same size, quality and format Polyglyph asks for by default. */
function requestInit(item: BenchItem, signal: AbortSignal): RequestInit {
  return {
    method: 'POST',
    headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ model: DEPLOYMENT, prompt: baselinePrompt(item), size: '1024x1024', quality: 'medium', output_format: 'png', n: 1 }),
    signal,
  };
}

/** Decodes the image as a user saving it would, so the client does the same work as Polyglyph's. */
async function readImage(response: Response): Promise<number> {
  const body = (await response.json()) as { data?: Array<{ b64_json?: string }> };
  return Buffer.from(body.data?.[0]?.b64_json ?? '', 'base64').length;
}

/**
 * Microsoft's C# sample, as a loop: one request at a time; on 429 sleep for Retry-After (the header
 * HttpClient exposes, in seconds) and try again; anything else that is not 200 fails the item.
 */
export async function runSequential(url: string, items: readonly BenchItem[], deadlineMs: number, interrupted: AbortSignal): Promise<BaselineOutcome> {
  const signal = AbortSignal.any([interrupted, AbortSignal.timeout(deadlineMs)]);
  const startedAt = Date.now();
  let done = 0;
  let failed = 0;
  try {
    for (const item of items) {
      for (;;) {
        const response = await fetch(url, requestInit(item, signal));
        if (response.status === 429) {
          await response.body?.cancel();
          await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000, undefined, { signal });
          continue;
        }
        if (response.ok) await readImage(response);
        else {
          await response.body?.cancel();
          failed += 1;
        }
        break;
      }
      done += 1;
    }
  } catch (error) {
    if (interrupted.aborted || !signal.aborted) throw error;
    return { startedAt, failedItems: failed + (items.length - done), timedOut: true };
  }
  return { startedAt, failedItems: failed, timedOut: false };
}

export const FAN_OUT_CONCURRENCY = 8;
const MAX_ATTEMPTS = 10;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * What a careful user writes: p-limit with 8 in flight, each item retried on 429 and 5xx (and
 * network errors) up to 10 attempts, waiting retry-after-ms / Retry-After when the server gives one,
 * else exponential backoff with jitter. Other 4xx fail the item.
 */
export async function runPLimitFanOut(url: string, items: readonly BenchItem[], deadlineMs: number, interrupted: AbortSignal): Promise<BaselineOutcome> {
  const signal = AbortSignal.any([interrupted, AbortSignal.timeout(deadlineMs)]);
  const limit = pLimit(FAN_OUT_CONCURRENCY);
  const startedAt = Date.now();

  async function generateWithRetries(item: BenchItem): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, requestInit(item, signal));
      } catch (error) {
        if (signal.aborted || attempt >= MAX_ATTEMPTS) throw error;
        await sleep(backoffMs(attempt), undefined, { signal });
        continue;
      }
      if (response.ok) {
        await readImage(response);
        return true;
      }
      await response.body?.cancel();
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= MAX_ATTEMPTS) return false;
      await sleep(retryAfterMs(response.headers) ?? backoffMs(attempt), undefined, { signal });
    }
  }

  const outcomes = await Promise.allSettled(items.map((item) => limit(() => generateWithRetries(item))));
  if (interrupted.aborted) throw interrupted.reason;
  const failed = outcomes.filter((outcome) => outcome.status === 'rejected' || !outcome.value).length;
  return { startedAt, failedItems: failed, timedOut: signal.aborted };
}

function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (ms > 0) return ms;
  const seconds = Number(headers.get('retry-after'));
  return seconds > 0 ? seconds * 1000 : undefined;
}

function backoffMs(attempt: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
