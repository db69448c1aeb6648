import type { ImageUsage } from './types.js';

const FIELDS = ['inputTokens', 'outputTokens', 'totalTokens', 'inputTextTokens', 'inputImageTokens', 'outputImageTokens', 'outputTextTokens'] as const satisfies ReadonlyArray<keyof ImageUsage>;

/**
 * Token usage of several generations, summed field by field. A field none of them reported stays
 * undefined (unknown, not zero); undefined when none reported usage at all.
 */
export function sumUsage(usages: Array<ImageUsage | undefined>): ImageUsage | undefined {
  const known = usages.filter((usage): usage is ImageUsage => usage !== undefined);
  if (known.length === 0) return undefined;
  const total: ImageUsage = {};
  for (const field of FIELDS) total[field] = known.some((usage) => usage[field] !== undefined) ? known.reduce((sum, usage) => sum + (usage[field] ?? 0), 0) : undefined;
  return total;
}
