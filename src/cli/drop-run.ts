import type { Config } from '../config/settings.js';
import { loadDeployments } from '../deployments/deployment-spec.js';
import { runModels } from '../deployments/run-models.js';
import type { StartRun } from '../drops/ingest-drop.js';
import { enqueueManifest } from '../queue/enqueue-manifest.js';
import { publishReport } from '../runs/publish-report.js';
import { newRunId } from '../runs/run-id.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { Runtime } from '../../workers/runtime.js';
import { manifestDefaults } from './manifest-defaults.js';
import { planStep } from './plan-run.js';
import { producerMasterStore } from './producer-master-store.js';

/**
 * Starts runs as `polyglyph enqueue` does (same defaults, models, plan and `--max-cost` check), for
 * `scan` and the scheduler. A run whose images all existed already is finished here, report included.
 */
export function runStarter(runtime: Runtime, config: Config, blobStore: BlobStore | undefined, out: NodeJS.WritableStream = process.stderr): StartRun {
  const defaults = manifestDefaults(config, { warn: (message) => out.write(`${message}\n`) });
  const deployments = loadDeployments(config);
  const model = runModels(config, deployments).defaultModel;
  return async (manifestPath, origin) => {
    const result = await enqueueManifest(runtime, {
      runId: newRunId(),
      manifestPath,
      defaults,
      model,
      deployments,
      attempts: config.attempts,
      backoffMs: config.backoffMs,
      origin,
      imagesPerMinute: deployments.reduce((sum, spec) => sum + spec.imagesPerMinute, 0),
      masterStore: producerMasterStore(runtime, config),
      ...planStep(defaults, config, out),
    });
    if (result.finished && blobStore) await publishReport(runtime.runStore, blobStore, result.runId);
    return { runId: result.runId };
  };
}
