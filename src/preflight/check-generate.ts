import type { ContainerClient } from '@azure/storage-blob';
import { formatUsd } from '../cost/money.js';
import { imagePriceMicros, type PriceTable } from '../cost/price-table.js';
import { describeError } from '../errors/describe-error.js';
import { createProviderImageApi } from '../image-api/create-provider-api.js';
import type { ImageRequest } from '../image-api/types.js';
import { line, type CheckLine, type CheckReport } from './check-report.js';
import type { ResolvedDeployment } from './deployment-context.js';
import { diagnoseFailure } from './diagnosis.js';
import { PROBE_PREFIX } from './check-storage.js';

/** The one image --generate asks each deployment for: the cheapest a run could ask for. */
export const GENERATE_REQUEST: ImageRequest = {
  prompt: 'A plain white square card with the words "polyglyph check" in black sans-serif letters, centred',
  size: '1024x1024',
  quality: 'low',
  format: 'png',
  n: 1,
};

/** What --generate will spend, before it spends it (prices from src/cost, as run estimates use). */
export function generatePrice(deployments: readonly ResolvedDeployment[], table: PriceTable): NonNullable<CheckReport['generate']> {
  let priceMicros: number | undefined;
  const unpriced: string[] = [];
  const sources = new Set<string>();
  for (const { spec } of deployments) {
    const micros = imagePriceMicros(table, spec.model, GENERATE_REQUEST.size, GENERATE_REQUEST.quality);
    if (micros === undefined) unpriced.push(spec.model);
    else {
      priceMicros = (priceMicros ?? 0) + micros;
      sources.add(table.get(spec.model)!.source);
    }
  }
  return { images: deployments.length, priceMicros, unpricedModels: [...new Set(unpriced)], priceSource: sources.size > 0 ? [...sources].join('; ') : undefined };
}

export function describePrice(price: NonNullable<CheckReport['generate']>): string {
  const priced = price.priceMicros === undefined ? 'no price known' : `about ${formatUsd(price.priceMicros)} (${price.priceSource})`;
  const unpriced = price.unpricedModels.length > 0 ? `; no price for ${price.unpricedModels.join(', ')} (add it with --price-file)` : '';
  return `--generate: ${price.images} low-quality 1024x1024 image${price.images === 1 ? '' : 's'}, one per deployment: ${priced}${unpriced}`;
}

/**
 * One image from the deployment through the same client runs use (its size and format checked), then
 * stored under the probe prefix with metadata and index tags as images are, and deleted: the whole
 * path, for the price of one low-quality image.
 */
export async function generateThrough(deployment: ResolvedDeployment, container: ContainerClient | undefined, options: { fetch?: typeof fetch | undefined } = {}): Promise<CheckLine> {
  const api = createProviderImageApi(deployment.spec.provider, deployment.spec.api, options.fetch ? { fetch: options.fetch } : {});
  let generated;
  try {
    generated = await api.generate(GENERATE_REQUEST);
  } catch (error) {
    const diagnosis = diagnoseFailure(error, deployment.context);
    return line('generate one image', 'fail', diagnosis.problem, { fix: diagnosis.fix, diagnosis: diagnosis.kind });
  }
  const image = generated.images[0]!;
  const made = `${image.width}x${image.height} ${image.format} in ${(generated.durationMs / 1000).toFixed(1)} s${generated.requestId ? ` (request ${generated.requestId})` : ''}`;
  if (!container) return line('generate one image', 'ok', `${made}; not stored: the storage checks failed`);
  const blob = container.getBlockBlobClient(`${PROBE_PREFIX}${deployment.spec.name}-${Date.now()}.png`);
  try {
    await blob.uploadData(image.bytes, {
      blobHTTPHeaders: { blobContentType: 'image/png' },
      metadata: { polyglyphcheck: 'generate', model: deployment.spec.model },
      tags: { polyglyphcheck: 'generate' },
      conditions: { ifNoneMatch: '*' },
    });
    await blob.delete();
  } catch (error) {
    return line('generate one image', 'fail', `${made}; storing it failed: ${describeError(error, { withStatus: true })}`, { fix: 'see the storage checks above' });
  }
  return line('generate one image', 'ok', `${made}; stored with metadata and tags, then deleted`);
}
