import type { ImageProvider } from '../image-api/provider.js';

/**
 * Published per-deployment quotas, to tell a mistyped `imagesPerMinute` from a real one. Figures from
 * Microsoft's quota tables as IMAGE-API-FACTS.md records them: gpt-image-2 GlobalStandard about 6
 * requests/min at tier 1 up to 36 at tier 6, DataZoneStandard 2 up to 12; MAI image models 2-12 RPM.
 * A quota raised by a support request can exceed them, so going above is a warning, never a failure.
 */
interface QuotaFigure {
  /** Highest published figure, images (requests of one image) per minute. */
  highest: number;
  published: string;
}

const GPT_IMAGE_2: QuotaFigure = { highest: 36, published: 'gpt-image-2: GlobalStandard about 6/min (tier 1) to 36/min (tier 6); DataZoneStandard 2 to 12' };
const MAI: QuotaFigure = { highest: 12, published: 'MAI image models: 2 to 12 requests/min' };

export function publishedQuota(model: string, provider: ImageProvider): QuotaFigure | undefined {
  if (provider === 'mai') return MAI;
  return /^gpt-image-2(\b|$)/i.test(model) ? GPT_IMAGE_2 : undefined;
}

/** `undefined` when plausible; else why not, and the fix. */
export function quotaProblem(imagesPerMinute: number, model: string, provider: ImageProvider): { problem: string; fix: string } | undefined {
  const figure = publishedQuota(model, provider);
  if (!figure || imagesPerMinute <= figure.highest) return undefined;
  return {
    problem: `${imagesPerMinute} images/min is above the highest published quota (${figure.published}); workers would pace to it and meet 429s`,
    fix: 'set imagesPerMinute (POLYGLYPH_IMAGES_PER_MINUTE, or the deployments file) to the rate limit the Foundry portal shows for this deployment; ignore this if Microsoft raised your quota',
  };
}
