import type { ImageUsage } from '../image-api/types.js';

/**
 * What a job tells the process's metrics about its work. Jobs take it as an optional dep, so a job
 * run without one (tests, `polyglyph run` without a health port) reports nothing and pays nothing.
 * Implementations must not throw: a metric is never a reason for a job to fail.
 */
export interface WorkerMetrics {
  /** A successful image API call: `images` returned after `seconds` (request and body), with the usage reported. */
  generated(event: { deployment: string; model: string; images: number; seconds: number; usage: ImageUsage | undefined }): void;
  /** A 429 from the deployment (not a failure: the job goes back to the queue). */
  rateLimited(event: { deployment: string }): void;
  /**
   * A request abandoned on timeout: the service may have finished it and billed it, so its retry is
   * a possible double payment.
   */
  timedOut(event: { deployment: string }): void;
  /**
   * A failure the queue will retry, by its report code. `deployment` is the deployment that failed,
   * or '' when the failure was not the image API's (storage, Redis).
   */
  retrying(event: { code: string; deployment: string }): void;
  /** An image blob written: `seconds` for the upload, `bytes` of image. */
  uploaded(event: { seconds: number; bytes: number }): void;
  /** An item settled as failed, by its report code. */
  itemFailed(event: { code: string }): void;
}
