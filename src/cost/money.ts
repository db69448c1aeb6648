/**
 * Money as integer micro-dollars (1 USD = 1,000,000). Prices such as $0.053 are not exact in binary
 * floating point, and summing thousands of them drifts; integers of this size add exactly (a run
 * would need to cost about $9 billion before they lose precision).
 */

export const MICROS_PER_USD = 1_000_000;

/** US dollars (as a user or a price file gives them) to the nearest micro-dollar. */
export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/**
 * `$0.006`, `$0.053`, `$12.35`, `$1,234.50`: amounts under a dollar keep up to 4 decimals, because a
 * single low-quality image costs a fraction of a cent; larger ones keep 2, where more is noise.
 */
export function formatUsd(micros: number): string {
  const usd = micros / MICROS_PER_USD;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: Math.abs(usd) < 1 ? 4 : 2,
  }).format(usd);
}
