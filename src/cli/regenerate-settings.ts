import type { Queue } from 'bullmq';
import type { Config } from '../config/settings.js';
import { loadPriceTable } from '../cost/price-file.js';
import type { ImageJobData } from '../queue/image-job.js';
import type { RegenerateSettings } from '../runs/regenerate-on-mismatch.js';
import { manifestDefaults } from './manifest-defaults.js';

/**
 * What a check worker needs to regenerate flagged images (`--regenerate-on-mismatch`): built always,
 * since a run may record its own n even when this worker's is 0. The manifest defaults are this
 * process's, as for the review gallery's re-render.
 */
export function regenerateSettings(config: Config, imageQueue: Queue<ImageJobData>): RegenerateSettings {
  return {
    imageQueue,
    priceTable: loadPriceTable(config.priceFile),
    defaults: manifestDefaults(config, { warn: () => undefined }),
    attempts: config.attempts,
    backoffMs: config.backoffMs,
    limit: config.regenerateOnMismatch,
    maxCostUsd: config.maxCost,
  };
}
