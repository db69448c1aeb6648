import { z } from 'zod';
import { IMAGE_BACKGROUNDS, IMAGE_FORMATS, IMAGE_MODERATIONS, IMAGE_QUALITIES } from '../images/image-options.js';
import { IMAGE_PROVIDERS } from '../image-api/provider.js';

/** The text check's engines (src/text-check/); `off` stores images without reading them back. */
export const TEXT_CHECK_ENGINES = ['tesseract', 'vision', 'off'] as const;

/**
 * Every setting Polyglyph reads, in one table: its flag, its environment variable, its default and
 * how it is checked. The CLI builds its options and `--help` from this table and `resolveConfig()`
 * merges flag > environment > default from it, so the three can never disagree.
 */
export interface Setting<T = unknown> {
  /** Commander option, e.g. `--redis-url <url>`. */
  flag: string;
  /** Environment variable, when there is one. */
  env?: string;
  /** Default, shown in `--help`. */
  default?: T;
  description: string;
  /** What a valid value looks like, for "expected X, got Y" messages. */
  expected: string;
  schema: z.ZodType<T>;
  /**
   * Never echo the value back in errors, help or docs (keys, connection strings), and censor it in
   * every log line (src/config/secret-values.ts hands the logger every value so marked).
   */
  secret?: boolean;
  /** The flag may be given several times; the values are joined with commas (`--fault-rate a=1 --fault-rate b=2`). */
  repeatable?: boolean;
}

/** A table of settings, by name: SETTINGS below, and the stand-in's (stand-in-settings.ts). */
export type SettingsTable = Record<string, Setting<unknown>>;

/**
 * The values a table resolves to: a setting with a default is always present, one without may be
 * undefined; each typed by what its schema produces. `Config` is this for SETTINGS.
 */
export type SettingValues<Table extends SettingsTable> = Flatten<
  { [K in keyof Table as undefined extends Table[K]['default'] ? never : K]: z.output<Table[K]['schema']> } & {
    [K in keyof Table as undefined extends Table[K]['default'] ? K : never]?: z.output<Table[K]['schema']> | undefined;
  }
>;
type Flatten<T> = { [K in keyof T]: T[K] };

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const text = z.string().min(1);
const url = z.url();

/** Keeps whether a setting has a default in its type, so `Config` knows which values are always there. */
export function setting<T>(s: Setting<T> & { default: T }): Setting<T> & { default: T };
export function setting<T>(s: Setting<T> & { default?: undefined }): Setting<T> & { default?: undefined };
export function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

export const SETTINGS = {
  redisUrl: setting({
    flag: '--redis-url <url>',
    env: 'REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    description: 'Redis connection',
    expected: 'a redis:// or rediss:// URL',
    schema: z.string().regex(/^rediss?:\/\//),
  }),
  redisClusterNodes: setting({
    flag: '--redis-cluster-nodes <list>',
    env: 'REDIS_CLUSTER_NODES',
    description: 'comma-separated host:port seeds of a Redis Cluster: connect in cluster mode (credentials and TLS from REDIS_URL; the queue prefix gets a {hash tag})',
    expected: 'host:port pairs separated by commas, e.g. 10.0.0.4:6379,10.0.0.5:6379',
    schema: z.string().regex(/^\s*(\[[^\]]+\]|[^\s:,]+):\d{1,5}\s*(,\s*(\[[^\]]+\]|[^\s:,]+):\d{1,5}\s*)*$/),
  }),
  queueName: setting({
    flag: '--queue <name>',
    env: 'POLYGLYPH_QUEUE',
    default: 'images',
    description: 'BullMQ queue name',
    expected: 'letters, digits, . _ -',
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  }),
  queuePrefix: setting({
    flag: '--queue-prefix <prefix>',
    env: 'POLYGLYPH_QUEUE_PREFIX',
    default: 'polyglyph',
    description: 'Redis key prefix of the queues and run records (on a cluster it is wrapped in a {hash tag} unless it is one)',
    expected: 'letters, digits, . _ -, optionally in one {hash tag}',
    schema: z.string().regex(/^(\{[A-Za-z0-9._-]{1,64}\}|[A-Za-z0-9._-]{1,64})$/),
  }),

  endpoint: setting({
    flag: '--endpoint <url>',
    env: 'AZURE_OPENAI_ENDPOINT',
    description: 'Azure OpenAI / Foundry resource endpoint, e.g. https://NAME.openai.azure.com (unset: `run` starts the stand-in API)',
    expected: 'an http(s) URL',
    schema: url,
  }),
  deployment: setting({
    flag: '--deployment <name>',
    env: 'AZURE_OPENAI_DEPLOYMENT',
    default: 'gpt-image-2',
    description: "image model deployment name: decides the URL, the pool member and the report's deployment (never sent as the body's model on deployment URLs)",
    expected: 'a deployment name',
    schema: text,
  }),
  model: setting({
    flag: '--model-name <name>',
    env: 'AZURE_OPENAI_MODEL',
    description:
      'the model the deployment serves: decides size rules, prices and metadata (default: AZURE_GPT_MODEL, else the deployment name when it names a model such as gpt-image-1.5 or MAI-Image-2e, else gpt-image-2)',
    expected: 'a model name',
    schema: text,
  }),
  provider: setting({
    flag: '--provider <provider>',
    env: 'POLYGLYPH_PROVIDER',
    description: 'image API of the deployment: azure-openai or mai (default: mai for a deployment named MAI-..., else azure-openai)',
    expected: IMAGE_PROVIDERS.join(' or '),
    schema: z.enum(IMAGE_PROVIDERS),
  }),
  apiVersion: setting({
    flag: '--api-version <version>',
    env: 'AZURE_OPENAI_API_VERSION',
    default: '2025-04-01-preview',
    description: 'API version for deployment-style URLs',
    expected: 'an API version such as 2025-04-01-preview',
    schema: text,
  }),
  apiStyle: setting({
    flag: '--api-style <style>',
    env: 'POLYGLYPH_API_STYLE',
    default: 'deployment' as 'deployment' | 'v1',
    description: 'URL style: deployment (/openai/deployments/{d}/...) or v1 (/openai/v1/...)',
    expected: 'deployment or v1',
    schema: z.enum(['deployment', 'v1']),
  }),
  apiKey: setting({
    flag: '--api-key <key>',
    env: 'AZURE_OPENAI_API_KEY',
    description: 'API key; when unset, Microsoft Entra ID through DefaultAzureCredential',
    expected: 'a key',
    schema: text,
    secret: true,
  }),
  gptEndpoint: setting({
    flag: '--gpt-endpoint <url>',
    env: 'AZURE_GPT_ENDPOINT',
    description: "full images/generations URL (as in Microsoft's C# sample); overrides --endpoint",
    expected: 'an http(s) URL',
    schema: url,
  }),
  gptModel: setting({
    flag: '--gpt-model <name>',
    env: 'AZURE_GPT_MODEL',
    description: "the model the deployment serves, as Microsoft's C# sample names it; same as --model-name, which wins when both are set",
    expected: 'a model name',
    schema: text,
  }),
  entraScope: setting({
    flag: '--entra-scope <scope>',
    env: 'POLYGLYPH_ENTRA_SCOPE',
    description: 'Entra ID token scope (default: cognitiveservices for deployment URLs, ai.azure.com for v1)',
    expected: 'a scope URL ending in /.default',
    schema: text,
  }),

  translationDeployment: setting({
    flag: '--translation-deployment <name>',
    env: 'POLYGLYPH_TRANSLATION_DEPLOYMENT',
    default: 'gpt-4.1-mini',
    description: 'chat model deployment that fills missing text:<locale> cells (`translate`, `run --translate`), on the same endpoint and key as the images unless set below',
    expected: 'a deployment name',
    schema: text,
  }),
  translationModel: setting({
    flag: '--translation-model <name>',
    env: 'POLYGLYPH_TRANSLATION_MODEL',
    description: 'the model that deployment serves, for prices and the translation cache (default: the deployment name)',
    expected: 'a model name',
    schema: text,
  }),
  translationEndpoint: setting({
    flag: '--translation-endpoint <url>',
    env: 'POLYGLYPH_TRANSLATION_ENDPOINT',
    description: 'resource endpoint of the translation deployment (default: AZURE_OPENAI_ENDPOINT; unset too: the stand-in)',
    expected: 'an http(s) URL',
    schema: url,
  }),
  translationApiKey: setting({
    flag: '--translation-api-key <key>',
    env: 'POLYGLYPH_TRANSLATION_API_KEY',
    description: 'API key of the translation endpoint (default: AZURE_OPENAI_API_KEY; neither: Entra ID)',
    expected: 'a key',
    schema: text,
    secret: true,
  }),
  glossary: setting({
    flag: '--glossary <file>',
    env: 'POLYGLYPH_GLOSSARY',
    description: 'JSON glossary for translations: {"doNotTranslate": ["Brand"], "terms": {"source term": {"ja": "..."}}}',
    expected: 'a path to a JSON file',
    schema: text,
  }),
  maxTextChars: setting({
    flag: '--max-text-chars <n>',
    env: 'POLYGLYPH_MAX_TEXT_CHARS',
    default: 80,
    description: 'longest translated text (characters, as a reader counts them) that may go into an image; longer ones are flagged',
    expected: 'a positive integer',
    schema: positiveInt,
  }),

  storageConnectionString: setting({
    flag: '--storage-connection-string <cs>',
    env: 'AZURE_STORAGE_CONNECTION_STRING',
    description: 'storage by connection string (Azurite included); unset with no account URL: `run` starts Azurite',
    expected: 'a connection string',
    schema: text,
    secret: true,
  }),
  storageAccountUrl: setting({ flag: '--storage-account-url <url>', env: 'AZURE_STORAGE_ACCOUNT_URL', description: 'storage by account URL with Entra ID', expected: 'an http(s) URL', schema: url }),
  container: setting({
    flag: '--container <name>',
    env: 'POLYGLYPH_CONTAINER',
    default: 'localized-assets',
    description: 'blob container for images',
    expected: 'a container name: 3-63 lowercase letters, digits and single hyphens',
    schema: z.string().regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/),
  }),
  storageTimeoutMs: setting({
    flag: '--storage-timeout-ms <ms>',
    env: 'POLYGLYPH_STORAGE_TIMEOUT_MS',
    default: 120_000,
    description:
      "how long one blob storage operation (the storage SDK's own retries included) may take before it is abandoned; a storage endpoint that accepts connections and never answers fails after this",
    expected: 'a positive integer of milliseconds',
    schema: positiveInt,
  }),
  storageMaxTries: setting({
    flag: '--storage-max-tries <n>',
    env: 'POLYGLYPH_STORAGE_MAX_TRIES',
    default: 4,
    description: 'tries per blob storage operation: the storage SDK retries connection errors, 500 and 503 itself, within --storage-timeout-ms',
    expected: 'a positive integer',
    schema: positiveInt,
  }),

  deploymentsFile: setting({
    flag: '--deployments-file <path>',
    env: 'POLYGLYPH_DEPLOYMENTS_FILE',
    description: 'JSON file listing several deployments (endpoint, auth, model, quota each); replaces the single deployment from AZURE_OPENAI_*',
    expected: 'a path to a JSON file',
    schema: text,
  }),
  imagesPerMinute: setting({
    flag: '--images-per-minute <n>',
    env: 'POLYGLYPH_IMAGES_PER_MINUTE',
    default: 6,
    description: "the deployment's quota, shared by every worker (a request for n images counts n)",
    expected: 'a positive integer',
    schema: positiveInt,
  }),
  requestTimeoutMs: setting({
    flag: '--request-timeout-ms <ms>',
    env: 'POLYGLYPH_REQUEST_TIMEOUT_MS',
    default: 600_000,
    description:
      "how long one image request may take before it is abandoned and retried (openai-node's default; Azure gpt-image calls of ~394 s are reported, and an abandoned request may still be billed)",
    expected: 'a positive integer of milliseconds',
    schema: positiveInt,
  }),
  maxRateLimitedMs: setting({
    flag: '--max-rate-limited-ms <ms>',
    env: 'POLYGLYPH_MAX_RATE_LIMITED_MS',
    default: 1_800_000,
    description: 'how long one item may keep being refused with 429 before it fails as rate_limited (429s use no attempt)',
    expected: 'a positive integer of milliseconds',
    schema: positiveInt,
  }),
  breakerFailures: setting({
    flag: '--breaker-failures <n>',
    env: 'POLYGLYPH_BREAKER_FAILURES',
    default: 5,
    description: 'consecutive failures (5xx, timeouts, network) that take a deployment out of the pool',
    expected: 'a positive integer',
    schema: positiveInt,
  }),
  breakerCooldownMs: setting({
    flag: '--breaker-cooldown-ms <ms>',
    env: 'POLYGLYPH_BREAKER_COOLDOWN_MS',
    default: 60_000,
    description: 'how long a deployment stays out of the pool before it is tried again',
    expected: 'a positive integer of milliseconds',
    schema: positiveInt,
  }),
  stalledIntervalMs: setting({
    flag: '--stalled-interval-ms <ms>',
    env: 'POLYGLYPH_STALLED_INTERVAL_MS',
    default: 30_000,
    description: 'job lock and stalled-job check: how soon the jobs of a crashed worker go to another',
    expected: 'a positive integer of milliseconds',
    schema: positiveInt,
  }),
  concurrency: setting({
    flag: '--concurrency <n>',
    env: 'POLYGLYPH_CONCURRENCY',
    default: 4,
    description: 'image requests in flight per worker process',
    expected: 'a positive integer',
    schema: positiveInt,
  }),
  memoryBudgetMb: setting({
    flag: '--memory-budget-mb <mb>',
    env: 'POLYGLYPH_MEMORY_BUDGET_MB',
    default: 256,
    description:
      'memory a worker process may hold for images at once (answers being read, decoded, staged, uploaded); a job reserves what its images may take (about 100 MB for a 3840x2160 PNG, 12 MB for 1024x1024) and waits for room before it asks for them, whatever the concurrency (0: no budget)',
    expected: 'a non-negative integer of megabytes',
    schema: nonNegativeInt,
  }),
  attempts: setting({
    flag: '--attempts <n>',
    env: 'POLYGLYPH_ATTEMPTS',
    default: 5,
    description: 'attempts per item for failures outside the image API, e.g. storage (429s and transient API failures do not count: see --max-transient-ms)',
    expected: 'a positive integer',
    schema: positiveInt,
  }),
  backoffMs: setting({
    flag: '--backoff-ms <ms>',
    env: 'POLYGLYPH_BACKOFF_MS',
    default: 10_000,
    description: 'first retry delay; doubles each attempt',
    expected: 'a non-negative integer of milliseconds',
    schema: nonNegativeInt,
  }),
  maxTransientMs: setting({
    flag: '--max-transient-ms <ms>',
    env: 'POLYGLYPH_MAX_TRANSIENT_MS',
    default: 1_800_000,
    description:
      'how long one item may keep meeting transient image API failures (5xx, timeouts, network errors, malformed answers) before it fails; they are retried with backoff and use no attempt meanwhile (a deployment that is down is left to the circuit breaker)',
    expected: 'a positive integer of milliseconds',
    schema: positiveInt,
  }),

  locales: setting({
    flag: '--locales <list>',
    env: 'POLYGLYPH_LOCALES',
    description: 'target locales for rows without a locales cell, e.g. ja,ko,hi,bn,zh-Hans',
    expected: 'locales separated by , ; | or spaces',
    schema: text,
  }),
  campaign: setting({
    flag: '--campaign <name>',
    env: 'POLYGLYPH_CAMPAIGN',
    description: 'campaign for rows without one (default: the manifest file name)',
    expected: 'letters, digits, . _ - (at most 64)',
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  }),
  size: setting({
    flag: '--size <size>',
    env: 'POLYGLYPH_SIZE',
    default: '1024x1024',
    description:
      "default image size: WxH (normalised to the model's limits, with a warning), auto, a tier (small, standard, large; optionally landscape, portrait, square or W:H) or tokens:16..96 (optionally W:H)",
    expected: 'WxH, auto, a tier such as "large landscape" or a bucket such as "tokens:64 16:9"',
    schema: text,
  }),
  quality: setting({
    flag: '--quality <quality>',
    env: 'POLYGLYPH_QUALITY',
    default: 'medium' as (typeof IMAGE_QUALITIES)[number],
    description: 'default quality (medium or high for small or dense text)',
    expected: IMAGE_QUALITIES.join(', '),
    schema: z.enum(IMAGE_QUALITIES),
  }),
  format: setting({
    flag: '--format <format>',
    env: 'POLYGLYPH_FORMAT',
    default: 'png' as (typeof IMAGE_FORMATS)[number],
    description: 'default output format',
    expected: IMAGE_FORMATS.join(', '),
    schema: z.enum(IMAGE_FORMATS),
  }),
  variants: setting({
    flag: '--variants <n>',
    env: 'POLYGLYPH_VARIANTS',
    default: 1,
    description: 'default images per message and locale',
    expected: 'an integer from 1 to 10',
    schema: z.coerce.number().int().min(1).max(10),
  }),
  outputCompression: setting({
    flag: '--output-compression <0-100>',
    env: 'POLYGLYPH_OUTPUT_COMPRESSION',
    description: 'default compression for jpeg and webp rows (png rows never get it), sent as output_compression as is; Azure documents its meaning inverted relative to OpenAI',
    expected: 'an integer from 0 to 100',
    schema: z.coerce.number().int().min(0).max(100),
  }),
  background: setting({
    flag: '--background <background>',
    env: 'POLYGLYPH_BACKGROUND',
    description: 'default background: transparent (png or webp only; preview for gpt-image-2), opaque or auto (unset: not sent)',
    expected: IMAGE_BACKGROUNDS.join(', '),
    schema: z.enum(IMAGE_BACKGROUNDS),
  }),
  moderation: setting({
    flag: '--moderation <level>',
    env: 'POLYGLYPH_MODERATION',
    description: 'default moderation: low (less restrictive filtering) or auto (unset: not sent)',
    expected: IMAGE_MODERATIONS.join(', '),
    schema: z.enum(IMAGE_MODERATIONS),
  }),
  models: setting({
    flag: '--models <list>',
    env: 'POLYGLYPH_MODELS',
    description: 'models to render every row with, for rows without a model cell, e.g. gpt-image-2,MAI-Image-2e (each image once per model; each must be served by a deployment)',
    expected: 'model names separated by , ; | or spaces',
    schema: text,
  }),

  priceFile: setting({
    flag: '--price-file <path>',
    env: 'POLYGLYPH_PRICE_FILE',
    description: 'JSON file of image prices per model (USD per 1024x1024 image by quality, per million tokens); adds to or replaces the built-in gpt-image-2 list prices',
    expected: 'a path to a JSON file',
    schema: text,
  }),
  maxCost: setting({
    flag: '--max-cost <usd>',
    env: 'POLYGLYPH_MAX_COST',
    description: 'refuse a manifest whose estimated cost is above this many US dollars (exit 2, nothing enqueued)',
    expected: 'a positive number of US dollars, e.g. 25',
    schema: z.coerce.number().positive(),
  }),

  textCheck: setting({
    flag: '--text-check <engine>',
    env: 'POLYGLYPH_TEXT_CHECK',
    default: 'tesseract' as (typeof TEXT_CHECK_ENGINES)[number],
    description: "how every stored image's text is read back and compared with the expected text: tesseract (local OCR), vision (the --vision-deployment chat model transcribes it) or off",
    expected: TEXT_CHECK_ENGINES.join(', '),
    schema: z.enum(TEXT_CHECK_ENGINES),
  }),
  textCheckMaxCer: setting({
    flag: '--text-check-max-cer <list>',
    env: 'POLYGLYPH_TEXT_CHECK_MAX_CER',
    description:
      'character error rate above which an image is needs_review: one number for every script, or per script, e.g. 0.2 or Hant=0.25,Deva=0.2 (default: the per-script table in docs/text-check.md)',
    expected: 'a number from 0 to 1, or SCRIPT=number pairs with scripts among Jpan, Kore, Deva, Beng, Hans, Hant',
    schema: text,
  }),
  textCheckConcurrency: setting({
    flag: '--text-check-concurrency <n>',
    env: 'POLYGLYPH_TEXT_CHECK_CONCURRENCY',
    default: 2,
    description: 'images read at once per worker process on the text-check queue (OCR is CPU-bound: about one per core)',
    expected: 'a positive integer',
    schema: positiveInt,
  }),
  textCheckQueue: setting({
    flag: '--text-check-queue <name>',
    env: 'POLYGLYPH_TEXT_CHECK_QUEUE',
    default: 'text-check',
    description: 'BullMQ queue of the text checks',
    expected: 'letters, digits, . _ -',
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  }),
  regenerateOnMismatch: setting({
    flag: '--regenerate-on-mismatch <n>',
    env: 'POLYGLYPH_REGENERATE_ON_MISMATCH',
    default: 0,
    description:
      'render a new variant of an image whose text check fails (needs_review), up to n times per item, within --max-cost; the run finishes once the new variants are stored and checked (0: off)',
    expected: 'a whole number, 0 or more',
    schema: nonNegativeInt,
  }),
  visionDeployment: setting({
    flag: '--vision-deployment <name>',
    env: 'POLYGLYPH_VISION_DEPLOYMENT',
    description:
      'vision-capable chat deployment (e.g. gpt-4.1) on the same resource and key as the image deployment: the engine of --text-check vision; with --text-check tesseract, a second opinion on the images Tesseract flags',
    expected: 'a deployment name',
    schema: text,
  }),
  shutdownGraceMs: setting({
    flag: '--shutdown-grace-ms <ms>',
    env: 'POLYGLYPH_SHUTDOWN_GRACE_MS',
    default: 60_000,
    description: "how long a worker's in-flight jobs may finish after the first SIGINT or SIGTERM (a second signal stops at once)",
    expected: 'a non-negative integer of milliseconds',
    schema: nonNegativeInt,
  }),
  workerQueues: setting({
    flag: '--queues <list>',
    env: 'POLYGLYPH_WORKER_QUEUES',
    default: 'images,text-check',
    description: 'which queues this worker process serves: images (API-bound), text-check (CPU-bound), or both',
    expected: 'images, text-check or images,text-check',
    schema: z.string().regex(/^\s*(images|text-check)\s*(,\s*(images|text-check)\s*)?$/),
  }),

  localDir: setting({
    flag: '--local-dir <dir>',
    env: 'POLYGLYPH_LOCAL_DIR',
    default: '.polyglyph',
    description: "where `run` keeps the embedded Azurite's data when no storage is configured",
    expected: 'a directory path',
    schema: text,
  }),
  reportDir: setting({
    flag: '--report-dir <dir>',
    env: 'POLYGLYPH_REPORT_DIR',
    default: 'polyglyph-reports',
    description: 'where `run` writes <run-id>.json and <run-id>.csv',
    expected: 'a directory path',
    schema: text,
  }),
  healthPort: setting({
    flag: '--health-port <port>',
    env: 'POLYGLYPH_HEALTH_PORT',
    description: 'serve GET /metrics (Prometheus), /livez and /readyz on this port, e.g. 9464 (unset: no health server, so several workers on one host never collide)',
    expected: 'a port number from 1 to 65535',
    schema: z.coerce.number().int().min(1).max(65535),
  }),
  healthHost: setting({
    flag: '--health-host <host>',
    env: 'POLYGLYPH_HEALTH_HOST',
    default: '127.0.0.1',
    description: 'interface the health server listens on (0.0.0.0 in a container, so Prometheus and probes can reach it)',
    expected: 'a host name or IP address',
    schema: text,
  }),
  dropPrefix: setting({
    flag: '--drop-prefix <prefix>',
    env: 'POLYGLYPH_DROP_PREFIX',
    default: 'manifests/incoming/',
    description: 'blob prefix (in the container) where `scan` picks up dropped manifests; processed/, rejected/ go beside it',
    expected: 'a blob prefix ending in /',
    schema: z.string().regex(/^[^\\]+\/$/),
  }),
  scanIntervalMs: setting({
    flag: '--interval-ms <ms>',
    env: 'POLYGLYPH_SCAN_INTERVAL_MS',
    default: 30_000,
    description: 'pause between the passes of `scan --watch`',
    expected: 'an integer of milliseconds, 100 or more',
    schema: z.coerce.number().int().min(100),
  }),
  dropDir: setting({
    flag: '--drop-dir <dir>',
    env: 'POLYGLYPH_DROP_DIR',
    description: 'local folder `scan` also watches: manifests in <dir>/incoming/ (unset: blobs only)',
    expected: 'a directory path',
    schema: text,
  }),
  dashboardPort: setting({
    flag: '--port <port>',
    env: 'POLYGLYPH_DASHBOARD_PORT',
    default: 3000,
    description: 'port the dashboard listens on (0: any free port)',
    expected: 'a port number from 0 to 65535',
    schema: z.coerce.number().int().min(0).max(65535),
  }),
  dashboardHost: setting({
    flag: '--host <host>',
    env: 'POLYGLYPH_DASHBOARD_HOST',
    default: '127.0.0.1',
    description: 'interface the dashboard listens on; anything beyond loopback requires a token or a user and password',
    expected: 'a host name or IP address',
    schema: text,
  }),
  dashboardAllowedHosts: setting({
    flag: '--allowed-hosts <list>',
    env: 'POLYGLYPH_DASHBOARD_ALLOWED_HOSTS',
    description: 'host names the dashboard answers to besides loopback and --host (e.g. the name a reverse proxy forwards); requests for any other Host are refused (DNS rebinding)',
    expected: 'host names separated by commas',
    schema: z.string().regex(/^[A-Za-z0-9.:[\]_-]+(,\s*[A-Za-z0-9.:[\]_-]+)*$/),
  }),
  dashboardToken: setting({
    flag: '--token <token>',
    env: 'POLYGLYPH_DASHBOARD_TOKEN',
    description: 'token for the dashboard: `Authorization: Bearer <token>`, or as the password of basic auth in a browser (any user name); prefer the variable, a flag shows in `ps`',
    expected: 'at least 16 characters, e.g. from `openssl rand -hex 24`',
    schema: z.string().min(16),
    secret: true,
  }),
  dashboardUser: setting({
    flag: '--user <name>',
    env: 'POLYGLYPH_DASHBOARD_USER',
    default: 'admin',
    description: 'user name for basic auth with --password',
    expected: 'a user name without ":"',
    schema: z.string().regex(/^[^:]{1,128}$/),
  }),
  dashboardPassword: setting({
    flag: '--password <password>',
    env: 'POLYGLYPH_DASHBOARD_PASSWORD',
    description: 'password for basic auth (user --user); prefer the variable, a flag shows in `ps`',
    expected: 'at least 12 characters',
    schema: z.string().min(12),
    secret: true,
  }),
  statusLimit: setting({ flag: '--limit <n>', default: 20, description: 'runs `status` lists, newest first', expected: 'a positive integer', schema: positiveInt }),
  logLevel: setting({
    flag: '--log-level <level>',
    env: 'POLYGLYPH_LOG_LEVEL',
    description: 'log level of the logs on stderr (default info for worker, warn for run and enqueue)',
    expected: 'fatal, error, warn, info, debug, trace or silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  }),
  logFormat: setting({
    flag: '--log-format <format>',
    env: 'POLYGLYPH_LOG_FORMAT',
    default: 'auto',
    description: 'how logs on stderr look: text (one readable line each, no stack traces), json (pino JSON lines, for log collectors) or auto (text when stderr is a terminal, json otherwise)',
    expected: 'auto, text or json',
    schema: z.enum(['auto', 'text', 'json']),
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;

/** The resolved configuration (resolveConfig), derived from the table: settings with a default are always present. */
export type Config = SettingValues<typeof SETTINGS>;
