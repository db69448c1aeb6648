import { parseRoute, type SizeRoute } from './size-routing.js';
import { NAMED_SIZES, nearestValidSize, sizeProblem } from './size.js';

/** How the size that is sent came from the size that was asked for. */
export type SizeDerivation =
  /** `auto`: the service picks; nothing to check the image against. */
  | { kind: 'auto' }
  /** A valid `WxH`, sent as written. */
  | { kind: 'exact' }
  /** A `WxH` outside gpt-image-2's limits, replaced by the nearest valid size (`problem` says why). */
  | { kind: 'normalised'; problem: string }
  /** A tier or token bucket (size-routing.ts). */
  | { kind: 'routed'; route: SizeRoute };

export type ResolvedSize =
  | {
      ok: true;
      /** What is sent as `size` and checked against the image: `auto` or a valid `WxH`. */
      size: string;
      width?: number;
      height?: number;
      /** What was asked for, in canonical spelling (`4096x4096`, `large landscape`, `tokens:64 16:9`): kept as `requestedSize`. */
      requested: string;
      derivation: SizeDerivation;
    }
  | { ok: false; message: string; hint: string };

const FORMS = `WIDTHxHEIGHT (e.g. ${NAMED_SIZES.join(', ')}), auto, a tier such as 'large landscape' or 'standard 16:9', or a token bucket such as 'tokens:64 16:9'`;

/**
 * Turns a size as a manifest or `--size` gives it into the size to send. Deterministic: the same
 * input always gives the same size, so image identities and blob names are stable.
 *
 * - `auto` stays `auto`.
 * - A valid `WxH` is sent as written.
 * - A `WxH` outside the limits (edges not multiples of 16, too few or too many pixels, a long edge
 *   over 3840, wider than 3:1) is normalised as Foundry says the service does, keeping the aspect
 *   ratio (up to 3:1), rounding to 16 and clamping to the pixel range: nearestValidSize. Callers
 *   report that as a warning, not an error.
 * - Tiers and token buckets are routed (size-routing.ts).
 * - Anything else, `0x0` included, is an error.
 */
export function resolveSize(input: string): ResolvedSize {
  const value = input.trim().toLowerCase().replace(/\s+/g, ' ');
  if (value === 'auto') return { ok: true, size: 'auto', requested: 'auto', derivation: { kind: 'auto' } };

  const literal = /^(\d{1,5}) ?[x×] ?(\d{1,5})$/.exec(value);
  if (literal) {
    const width = Number(literal[1]);
    const height = Number(literal[2]);
    const requested = `${width}x${height}`;
    const problem = sizeProblem(width, height);
    if (!problem) return { ok: true, size: requested, width, height, requested, derivation: { kind: 'exact' } };
    const nearest = nearestValidSize(width, height);
    if (!nearest) return { ok: false, message: `size ${requested} has an edge of 0 pixels`, hint: `use ${FORMS}` };
    return { ok: true, size: `${nearest.width}x${nearest.height}`, ...nearest, requested, derivation: { kind: 'normalised', problem } };
  }

  const route = parseRoute(value);
  if (route?.ok) return { ok: true, size: `${route.width}x${route.height}`, width: route.width, height: route.height, requested: route.canonical, derivation: { kind: 'routed', route: route.route } };
  if (route) return route;
  return { ok: false, message: `'${input.trim()}' is not a size`, hint: `use ${FORMS}` };
}

/** The warning for a normalised size, the same wherever it is reported. */
export function normalisedSizeWarning(size: { requested: string; size: string; problem: string }): { message: string; hint: string } {
  return {
    message: `size ${size.requested} is outside gpt-image-2's limits; it will be requested as ${size.size}`,
    hint: `${size.requested} ${size.problem}; write ${size.size} (or another valid size) to ask for it directly`,
  };
}
