/**
 * A per-deployment images-per-minute quota, enforced evenly as Azure does over short windows: a GCRA
 * (generic cell rate algorithm) where each image pushes the deployment's "theoretical arrival time"
 * one interval (60,000 / imagesPerMinute ms) into the future. A request is admitted while that time
 * is at most one interval ahead: a client pacing exactly at the quota gets through even when network
 * jitter delivers one request a little early, but a burst is refused.
 * Refused requests change nothing, so a client that waits `retryAfterMs` is admitted.
 */
export class DeploymentQuota {
  private readonly arrivals = new Map<string, number>();
  private intervalMs: number | undefined;

  constructor(
    imagesPerMinute: number | undefined,
    private readonly now: () => number,
  ) {
    this.intervalMs = toInterval(imagesPerMinute);
  }

  /** Takes `n` images for `deployment`, or says how many ms until the request would be admitted. */
  admit(deployment: string, n: number): { admitted: true } | { admitted: false; retryAfterMs: number } {
    if (this.intervalMs === undefined) return { admitted: true };
    const now = this.now();
    const arrival = Math.max(this.arrivals.get(deployment) ?? now, now);
    const aheadMs = arrival - now - this.intervalMs;
    if (aheadMs > 0) return { admitted: false, retryAfterMs: aheadMs };
    this.arrivals.set(deployment, arrival + n * this.intervalMs);
    return { admitted: true };
  }

  /** A new quota starts from a clean slate: nobody carries debt from the old rate. */
  setRate(imagesPerMinute: number | undefined): void {
    this.intervalMs = toInterval(imagesPerMinute);
    this.arrivals.clear();
  }
}

function toInterval(imagesPerMinute: number | undefined): number | undefined {
  return imagesPerMinute === undefined ? undefined : 60_000 / imagesPerMinute;
}
