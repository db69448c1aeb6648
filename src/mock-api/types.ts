/** Public surface of the stand-in image API (re-exported by server.ts, which other code imports). */
import type { MockDeployment } from './deployment-registry.js';

export type { MockDeployment } from './deployment-registry.js';

/** Every failure the stand-in can be told to produce, in the order `--help` lists them. */
export const MOCK_FAULTS = [
  'server-error',
  'unavailable',
  'hang',
  'malformed',
  'content-filter',
  'rate-limit',
  'blocked-resource',
  'wrong-size',
  'wrong-format',
  'fewer-images',
  'unsupported-content-type',
  'garbled-text',
] as const;

/**
 * - `server-error`: 500 InternalServerError
 * - `unavailable`: 503 with `Retry-After: 1`
 * - `hang`: never answers (the socket stays open until the client gives up or `close()`)
 * - `malformed`: 200 with a truncated JSON body
 * - `content-filter`: 400 content_policy_violation, as for a blocked prompt
 * - `rate-limit`: 429 with `retry-after-ms: 1000`
 * - `blocked-resource`: 403 "resource has been temporarily blocked"
 * - `wrong-size`: 200 with images of another size than asked
 * - `wrong-format`: 200 with PNG when JPEG or WEBP was asked, JPEG when PNG was asked
 * - `fewer-images`: 200 with one image fewer than asked (none for n = 1), each delivered one paid for
 * - `unsupported-content-type`: 400 unsupported_content_type, as Azure has answered multipart edits intermittently (openai/openai-python#2749)
 * - `garbled-text`: 200 with images whose text is wrong (characters dropped, swapped or from another
 *   script), as image models get text wrong; the request log's `garbled` says which images
 */
export type MockFault = (typeof MOCK_FAULTS)[number];

/** Stand-in images: one flat colour, or random pixels (incompressible: for memory benchmarks). */
export const IMAGE_FILLS = ['flat', 'noise'] as const;
export type ImageFill = (typeof IMAGE_FILLS)[number];

export interface MockImageApiOptions {
  /**
   * The deployments served, each a name and the model it serves: `{name: 'img-prod-eastus', model:
   * 'gpt-image-2'}`, or a bare name, which serves the model of that name (gpt-image-2 when the name
   * is no model). Default `['gpt-image-2']`. Any other deployment answers 404 DeploymentNotFound; a
   * body `model` on a deployment URL that names no model answers 400 "The model '...' does not exist.".
   * The same names serve the OpenAI routes and MAI's `/mai/v1/images/generations` (where the body's
   * `model` names the deployment), so list MAI deployments here too: `['gpt-image-2', 'MAI-Image-2e']`.
   */
  deployments?: ReadonlyArray<string | MockDeployment>;
  /**
   * Chat deployment names served on `/openai/deployments/{d}/chat/completions` (and v1 with `model`),
   * answering translations with a pseudo-localization (routes/chat-completions.ts). Default `['gpt-4.1-mini']`.
   */
  chatDeployments?: string[];
  /** When set, the `api-key` header must equal it (else Azure's gateway 401). When unset, any non-empty `api-key` is accepted. Neither a key nor a token: 401. */
  apiKey?: string;
  /**
   * When set, an `Authorization: Bearer` token must equal it. When unset, any token is accepted unless
   * `apiKey` is set (a key-only resource) or it is a JWT for an audience Azure does not accept. A
   * refused token answers Entra's `{"statusCode":401,"message":...}`.
   */
  bearerToken?: string;
  /** Milliseconds added before answering a generation. Default 0. */
  latencyMs?: number;
  /** Uniformly random extra milliseconds, 0..latencyJitterMs, on top of `latencyMs`. Default 0. */
  latencyJitterMs?: number;
  /**
   * What the images look like: `flat` (one colour: small files, quick) or `noise` (random pixels, which
   * no format compresses: a 3840x2160 PNG is ~25 MB, the worst case a worker's memory must survive).
   * Default flat.
   */
  imageFill?: ImageFill;
  /** Quota per deployment in images per minute (a request for n images counts n), enforced evenly. Default: unlimited. */
  imagesPerMinute?: number;
  /** A prompt containing one of these (case-insensitive) is refused by the content filter. Default `['[blocked]']`. */
  blockedTerms?: string[];
  /** Probability (0..1, summing to at most 1) that a generation request meets each fault. Default: none. */
  faultRates?: Partial<Record<MockFault, number>>;
  /** Source of randomness for latency jitter and fault rates. Default `Math.random`. */
  random?: () => number;
  /** Clock in epoch milliseconds, for the quota and the request log. Default `Date.now`. */
  now?: () => number;
}

/**
 * What the stand-in saw. Admin and health requests are not counted.
 *
 * "Paid" means delivered: an image counts in `imagesGenerated` and `generationsByPrompt` only when
 * its 200 answer with readable JSON was written to a client that was still connected. A generation
 * whose client disconnected before the answer was written (it timed out, or its process was killed)
 * is never delivered: it is logged with status 499 (in `byStatus` and `requestLog`) and counts no
 * images. A hanging request (the `hang` fault) counts only in `requests`.
 */
export interface MockImageApiStats {
  /** Generation requests received, refused ones included (a hanging request counts here only). */
  requests: number;
  /**
   * Answered generation requests by HTTP status, e.g. `{ '200': 17, '429': 3 }`; `'499'` counts
   * requests whose client disconnected before the answer was written (nothing was delivered).
   */
  byStatus: Record<string, number>;
  /** Generation requests answered 429. */
  rateLimited: number;
  /**
   * Images in 200 responses that carried readable JSON and reached a connected client (wrong-size
   * and wrong-format images count: they were paid for; malformed bodies and 499s do not).
   */
  imagesGenerated: number;
  /** Prompt -> images delivered for it (counted as `imagesGenerated` is), so a test can prove no prompt was paid for twice. */
  generationsByPrompt: Record<string, number>;
  /**
   * The most recent answered generation requests (at most 10,000), oldest first. `parameters` holds
   * the body's fields other than `prompt` exactly as received (`model`, `size`, `output_format`,
   * `output_compression`, `background`, `moderation`, ...), so a test can see what a client sent.
   * `garbled` lists the images of the answer (0-based, in `data` order) whose text the `garbled-text`
   * fault garbled, so a test knows which stored images must fail the text check. `at` is when the
   * answer was written, `receivedAt` when the request arrived (a 429 answers at once; a 200 after the
   * latency, so the pair shows whether the stand-in kept its own latency on a loaded machine).
   */
  requestLog: Array<{
    at: number;
    receivedAt: number;
    operation: 'generations' | 'edits';
    deployment: string;
    status: number;
    n: number;
    size: string;
    prompt: string;
    parameters: Record<string, unknown>;
    garbled: number[];
  }>;
}

export interface MockImageApi {
  /** `http://HOST:PORT`; throws when the server is not listening. */
  readonly url: string;
  /** Starts listening (default port 0 = any free port, host 127.0.0.1) and returns the URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops listening and destroys every open socket, hanging requests included, so it never waits. Safe to call twice. */
  close(): Promise<void>;
  /** Queues one-shot faults: the next generation requests that pass the quota meet them, one each, in order. */
  injectFaults(kinds: MockFault[]): void;
  /** Changes behaviour while running; throws a RangeError for invalid values. A new `imagesPerMinute` starts the quota afresh. */
  configure(options: Partial<Pick<MockImageApiOptions, 'latencyMs' | 'latencyJitterMs' | 'imagesPerMinute' | 'faultRates' | 'blockedTerms' | 'imageFill'>>): void;
  /** A snapshot; later requests do not change it. */
  stats(): MockImageApiStats;
  /** Chat completion requests answered (translations), by HTTP status. Reset by resetStats(). */
  chatStats(): { requests: number; byStatus: Record<string, number> };
  /** Zeroes the counters and drops pending one-shot faults. */
  resetStats(): void;
}

/** The subset of options that `configure()` (and `POST /_admin/configure`) may change. */
export type MockSettingsPatch = Parameters<MockImageApi['configure']>[0];
