import type { Config } from '../config/settings.js';
import type { DeploymentSpec } from '../deployments/deployment-spec.js';
import { loadDeployments } from '../deployments/deployment-spec.js';
import { runModels } from '../deployments/run-models.js';
import type { StartRun } from '../drops/ingest-drop.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { enqueueManifest, type EnqueueManifestOptions, type EnqueueResult } from '../queue/enqueue-manifest.js';
import { publishFinishedRun } from '../runs/publish-report.js';
import { newRunId } from '../runs/run-id.js';
import { BlobStore } from '../storage/blob-store.js';
import type { Runtime } from '../runtime/runtime.js';
import { manifestDefaults } from './manifest-defaults.js';
import { planStep } from './plan-run.js';
import { producerMasterStore } from './producer-master-store.js';
import { runPace } from './run-pace.js';

/** What a producer without workers (`enqueue`, `scan`, the scheduler) settles once from the configuration. */
export interface Producer {
  defaults: ManifestDefaults;
  deployments: DeploymentSpec[];
  /** The model of rows that name none. */
  model: string;
}

export function producerFor(config: Config, out: NodeJS.WritableStream = process.stderr): Producer {
  const deployments = loadDeployments(config);
  return {
    defaults: manifestDefaults(config, { warn: (message) => out.write(`${message}\n`) }),
    deployments,
    model: modelName(config, deployments),
  };
}

/**
 * The model of rows that name none: `--models`' first, else the one the configured deployment (or
 * deployments file) serves. Throws a ConfigError when a named model has no deployment.
 */
export function modelName(config: Config, deployments: DeploymentSpec[] = loadDeployments(config)): string {
  return runModels(config, deployments).defaultModel;
}

/**
 * Enqueues a run of `manifestPath` for separate workers: new run id, the pool's capacity for the ETA,
 * masters to Redis, the plan printed to `out` and `--max-cost` checked before anything is enqueued.
 */
export async function enqueueRun(
  runtime: Runtime,
  config: Config,
  producer: Producer,
  manifestPath: string,
  origin: string,
  out: NodeJS.WritableStream,
  extra: Pick<EnqueueManifestOptions, 'onProgress'> = {},
): Promise<EnqueueResult> {
  // The workers pace the run at the quotas they registered, not at this shell's settings.
  const models = producer.defaults.models ?? [producer.model];
  const localQuota = (model: string): number => producer.deployments.filter((spec) => spec.model === model).reduce((sum, spec) => sum + spec.imagesPerMinute, 0);
  const pace = await runPace(runtime.redis, runtime.runStore.keys.base, models, localQuota, config.deploymentsFile ? 'the deployments file' : 'POLYGLYPH_IMAGES_PER_MINUTE');
  return enqueueManifest(runtime, {
    runId: newRunId(),
    manifestPath,
    defaults: producer.defaults,
    model: producer.model,
    deployments: producer.deployments,
    attempts: config.attempts,
    backoffMs: config.backoffMs,
    regenerateOnMismatch: config.regenerateOnMismatch,
    maxCostUsd: config.maxCost,
    origin,
    imagesPerMinute: pace.imagesPerMinute,
    masterStore: producerMasterStore(runtime, config),
    // Where the workers on this storage put the images; none known, the job ids are as before.
    destination: BlobStore.ifConfigured(config)?.destination,
    ...planStep(producer.defaults, config, out, pace),
    ...extra,
  });
}

/**
 * Starts runs as `polyglyph enqueue` does, for `scan` and the scheduler. A run whose images all
 * existed already is finished here, report included.
 */
export function runStarter(runtime: Runtime, config: Config, blobStore: BlobStore | undefined, out: NodeJS.WritableStream = process.stderr): StartRun {
  const producer = producerFor(config, out);
  return async (manifestPath, origin) => {
    const result = await enqueueRun(runtime, config, producer, manifestPath, origin, out);
    if (result.finished) await publishFinishedRun({ ...runtime, blobStore }, result.runId);
    return { runId: result.runId };
  };
}
