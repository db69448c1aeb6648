import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { usageCostMicros } from '../cost/usage-cost.js';
import type { PriceTable } from '../cost/price-table.js';
import { withTimeout } from './with-timeout.js';
import type { WorkerMetrics } from './worker-metrics.js';

/** The queue, as far as the jobs gauge needs it (a BullMQ `Queue`). */
export interface JobCountSource {
  readonly name: string;
  getJobCounts(): Promise<Record<string, number>>;
}

/** A deployment, as far as the quota gauge needs it (a `DeploymentSpec`). */
export interface QuotaSource {
  name: string;
  model: string;
  imagesPerMinute: number;
}

export interface WorkerMetricsOptions {
  /** Read at scrape time for `polyglyph_queue_jobs`; left out when absent. */
  queue?: JobCountSource | undefined;
  /** The pool's deployments: quota gauge, and zero-valued series so `rate()` works from the start. */
  deployments?: readonly QuotaSource[] | undefined;
  /** Prices for `polyglyph_cost_microdollars_total`; without one (or a model's token prices) no cost is counted. */
  priceTable?: PriceTable | undefined;
  /** How long a scrape waits for the job counts before leaving them out. Default 2000 ms. */
  queueTimeoutMs?: number | undefined;
  /** Node.js process metrics (`process_*`, `nodejs_*`). Default true. */
  defaultMetrics?: boolean | undefined;
  /** Told when the job counts could not be read for a scrape (the scrape still succeeds). */
  onCollectError?: ((error: unknown) => void) | undefined;
}

/** Image API calls take seconds to minutes (gpt-image-2: ~10-60 s, ~394 s reported; the request timeout is 600 s). */
export const API_SECONDS_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600];
/** One image blob: a few MB over a LAN or to Azure, from tens of milliseconds to a minute. */
export const UPLOAD_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The worker's Prometheus metrics, in a registry of their own (nothing global, so two in one process,
 * as in tests, do not collide). Names and meanings are listed in docs/operations.md, Observability.
 */
export class PrometheusWorkerMetrics implements WorkerMetrics {
  readonly registry = new Registry();
  readonly #imagesGenerated: Counter<'deployment' | 'model'>;
  readonly #rateLimited: Counter<'deployment'>;
  readonly #timeouts: Counter<'deployment'>;
  readonly #retries: Counter<'code' | 'deployment'>;
  readonly #apiSeconds: Histogram<'deployment'>;
  readonly #uploadSeconds: Histogram;
  readonly #uploadedBytes: Counter;
  readonly #cost: Counter<'deployment' | 'model'>;
  readonly #itemsFailed: Counter<'code'>;
  readonly #priceTable: PriceTable | undefined;

  constructor(options: WorkerMetricsOptions = {}) {
    const registers = [this.registry];
    this.#priceTable = options.priceTable;
    const { queue } = options;
    if (queue) {
      const timeoutMs = options.queueTimeoutMs ?? 2_000;
      const onError = options.onCollectError;
      const jobs: Gauge<'queue' | 'state'> = new Gauge({
        name: 'polyglyph_queue_jobs',
        help: 'Jobs in the queue by state, read from Redis at scrape time (the same for every worker of the queue: aggregate with max, not sum)',
        labelNames: ['queue', 'state'],
        registers,
        async collect() {
          jobs.reset();
          try {
            const counts = await withTimeout(queue.getJobCounts(), timeoutMs, 'the queue job counts');
            for (const [state, count] of Object.entries(counts)) jobs.set({ queue: queue.name, state }, count);
          } catch (error) {
            // A scrape without job counts still carries every other metric.
            onError?.(error);
          }
        },
      });
    }
    this.#imagesGenerated = new Counter({ name: 'polyglyph_images_generated_total', help: 'Images returned by the image API, per deployment', labelNames: ['deployment', 'model'], registers });
    const quota = new Gauge({
      name: 'polyglyph_deployment_quota_images_per_minute',
      help: "The deployment's quota in images per minute, shared by every worker",
      labelNames: ['deployment'],
      registers,
    });
    this.#rateLimited = new Counter({ name: 'polyglyph_rate_limited_total', help: '429 responses from the image API, per deployment', labelNames: ['deployment'], registers });
    this.#timeouts = new Counter({
      name: 'polyglyph_request_timeouts_total',
      help: 'Image requests abandoned on timeout, per deployment: each is a possible double payment (the service may have finished and billed it, and the retry pays again)',
      labelNames: ['deployment'],
      registers,
    });
    this.#retries = new Counter({
      name: 'polyglyph_retries_total',
      help: "Failures the queue retries, by error code; deployment is '' for failures outside the image API (storage, Redis)",
      labelNames: ['code', 'deployment'],
      registers,
    });
    this.#apiSeconds = new Histogram({
      name: 'polyglyph_image_api_duration_seconds',
      help: 'Successful image API calls, request to last byte of the body, per deployment',
      labelNames: ['deployment'],
      buckets: API_SECONDS_BUCKETS,
      registers,
    });
    this.#uploadSeconds = new Histogram({ name: 'polyglyph_blob_upload_duration_seconds', help: 'Image blob uploads (create-only), sidecar not included', buckets: UPLOAD_SECONDS_BUCKETS, registers });
    this.#uploadedBytes = new Counter({ name: 'polyglyph_blob_uploaded_bytes_total', help: 'Bytes of image blobs written', registers });
    this.#cost = new Counter({
      name: 'polyglyph_cost_microdollars_total',
      help: "Cost of the image API calls from the token usage they reported, in millionths of a US dollar, at the price table's token prices",
      labelNames: ['deployment', 'model'],
      registers,
    });
    this.#itemsFailed = new Counter({ name: 'polyglyph_items_failed_total', help: 'Items (message x locale) settled as failed, by error code', labelNames: ['code'], registers });

    for (const deployment of options.deployments ?? []) {
      quota.set({ deployment: deployment.name }, deployment.imagesPerMinute);
      this.#imagesGenerated.inc({ deployment: deployment.name, model: deployment.model }, 0);
      this.#rateLimited.inc({ deployment: deployment.name }, 0);
      this.#timeouts.inc({ deployment: deployment.name }, 0);
      this.#apiSeconds.zero({ deployment: deployment.name });
    }
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  generated(event: Parameters<WorkerMetrics['generated']>[0]): void {
    this.#imagesGenerated.inc({ deployment: event.deployment, model: event.model }, event.images);
    this.#apiSeconds.observe({ deployment: event.deployment }, event.seconds);
    const micros = this.#priceTable ? usageCostMicros(event.usage, event.model, this.#priceTable) : undefined;
    if (micros !== undefined && micros > 0) this.#cost.inc({ deployment: event.deployment, model: event.model }, micros);
  }

  rateLimited(event: Parameters<WorkerMetrics['rateLimited']>[0]): void {
    this.#rateLimited.inc({ deployment: event.deployment });
  }

  timedOut(event: Parameters<WorkerMetrics['timedOut']>[0]): void {
    this.#timeouts.inc({ deployment: event.deployment });
  }

  retrying(event: Parameters<WorkerMetrics['retrying']>[0]): void {
    this.#retries.inc({ code: event.code, deployment: event.deployment });
  }

  uploaded(event: Parameters<WorkerMetrics['uploaded']>[0]): void {
    this.#uploadSeconds.observe(event.seconds);
    this.#uploadedBytes.inc(event.bytes);
  }

  itemFailed(event: Parameters<WorkerMetrics['itemFailed']>[0]): void {
    this.#itemsFailed.inc({ code: event.code });
  }
}
