import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config/settings.js';
import { loadPriceTable } from '../cost/price-file.js';
import { loadDeployments } from '../deployments/deployment-spec.js';
import { line, summarise, type CheckReport, type TargetReport } from './check-report.js';
import { checkDeployment } from './check-deployment.js';
import { describePrice, generatePrice, generateThrough } from './check-generate.js';
import { checkStorage } from './check-storage.js';

export interface RunCheckOptions {
  /** Spend one low-quality image per deployment to prove the whole path. */
  generate?: boolean;
  /** Told the price before anything is spent (the text output prints it). */
  onPrice?: (text: string) => void;
  fetch?: typeof fetch | undefined;
  credential?: TokenCredential | undefined;
  probeTimeoutMs?: number | undefined;
}

/**
 * `polyglyph check`: every configured deployment (POLYGLYPH_DEPLOYMENTS_FILE, or the single one of
 * AZURE_OPENAI_*) and the storage account, checked side by side without spending; with `generate`,
 * then one image per deployment whose free checks passed.
 */
export async function runCheck(config: Config, options: RunCheckOptions = {}): Promise<CheckReport> {
  // A deployments file that cannot be read is a configuration error of its own (exit 2 with its message).
  const specs = loadDeployments(config);
  const fromFile = config.deploymentsFile !== undefined;
  const probe = { fetch: options.fetch, credential: options.credential, timeoutMs: options.probeTimeoutMs };
  const [deployments, storage] = await Promise.all([Promise.all(specs.map((spec) => checkDeployment(spec, fromFile, probe))), checkStorage(config, { credential: options.credential })]);
  const targets: TargetReport[] = [...deployments.map((d) => d.report), storage.report];
  if (!options.generate) return summarise(targets);

  const usable = deployments.flatMap((d) => (d.usable ? [d.usable] : []));
  const price = generatePrice(usable, loadPriceTable(config.priceFile));
  options.onPrice?.(describePrice(price));
  for (const deployment of deployments) {
    if (!deployment.usable) deployment.report.checks.push(line('generate one image', 'skip', 'not asked for: the free checks failed'));
  }
  // One after another: each image is a paid request, and a failure should be read before the next.
  for (const deployment of usable) {
    const report = deployments.find((d) => d.usable === deployment)!.report;
    report.checks.push(await generateThrough(deployment, storage.usable, { fetch: options.fetch }));
  }
  return summarise(targets, price);
}
