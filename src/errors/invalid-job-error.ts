import { UnrecoverableError } from 'bullmq';

/**
 * A job whose data is not a payload its processor can use (added by hand in Bull Board, by a script,
 * or by a foreign producer). Unrecoverable: every attempt would find the same data. Its `code` is what
 * errorCode() reports, so the item fails as `invalid_job` in reports and metrics.
 */
export class InvalidJobError extends UnrecoverableError {
  readonly code = 'invalid_job';

  constructor(jobId: string | undefined, detail: string) {
    super(`job ${jobId ?? '(no id)'}: ${detail}; enqueue items with \`polyglyph enqueue\` or \`polyglyph run\`, not by hand`);
    this.name = 'InvalidJobError';
  }
}
