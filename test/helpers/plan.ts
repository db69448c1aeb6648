import { planFromTally, planTally, type ManifestPlan, type PlanOptions } from '../../src/cost/estimate.js';
import type { ModelProviders } from '../../src/image-api/provider.js';
import type { ManifestDefaults } from '../../src/manifest/manifest-options.js';
import { readManifest } from '../../src/manifest/read-manifest.js';

/**
 * The plan of a manifest's valid rows, as `validate`, `run` and `enqueue` print it: the same tally
 * they feed from their own pass over the manifest, fed here from a pass of its own.
 */
export async function planManifest(path: string, defaults: ManifestDefaults, options: PlanOptions & { providers?: ModelProviders | undefined }): Promise<ManifestPlan> {
  const tally = planTally(defaults, options);
  for await (const event of readManifest(path, defaults)) {
    if (event.type === 'item') tally.add(event.item);
  }
  return planFromTally(tally, options);
}
