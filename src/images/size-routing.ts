/**
 * Size routing: words for a size instead of pixels, turned into a concrete `WxH` here, on the client,
 * before anything is enqueued or sent.
 *
 * This is Polyglyph's own feature. Microsoft's gpt-image-2 launch post for Foundry describes
 * "intelligent routing" with legacy size tiers and token-size buckets, but the image API has no
 * request parameter for it; what reaches the service is always a plain `size`. The names follow
 * that post, the numbers are ours:
 *
 * - `legacy` tiers: `small`, `standard` or `large`, optionally followed by a shape
 *   (`square`, `landscape`, `portrait`) or an aspect `W:H` (`16:9`, `4:3`, `21:9`, `9:16`, ...):
 *   `large landscape`, `standard 16:9`, `small`. Each tier is a pixel budget (TIER_PIXELS).
 * - `tokens` buckets: `tokens:16` ... `tokens:96` (TOKEN_BUCKETS), optionally with a shape or an
 *   aspect: `tokens:64 16:9`. The pixel budget grows linearly from gpt-image-2's minimum at 16 to
 *   its maximum at 96.
 *
 * A route is the budget at the aspect, kept within ROUTING_MAX_EDGE and made valid by
 * nearestValidSize, so every route yields a size the model accepts. Without a shape, square.
 */
import { MAX_ASPECT_RATIO, MAX_PIXELS, MIN_PIXELS, nearestValidSize } from './size.js';

export const SIZE_TIERS = ['small', 'standard', 'large'] as const;
export type SizeTier = (typeof SIZE_TIERS)[number];

/** Pixel budget of each tier: the pixels of its class size (TIER_CLASS_SIZES). */
export const TIER_CLASS_SIZES: Readonly<Record<SizeTier, readonly [number, number]>> = {
  small: [1024, 1024],
  standard: [2048, 1152],
  large: [3840, 2160],
};
export const TIER_PIXELS: Readonly<Record<SizeTier, number>> = {
  small: TIER_CLASS_SIZES.small[0] * TIER_CLASS_SIZES.small[1],
  standard: TIER_CLASS_SIZES.standard[0] * TIER_CLASS_SIZES.standard[1],
  large: TIER_CLASS_SIZES.large[0] * TIER_CLASS_SIZES.large[1],
};

export const TOKEN_BUCKETS = [16, 32, 48, 64, 80, 96] as const;
export type TokenBucket = (typeof TOKEN_BUCKETS)[number];

/** Shapes by name. `landscape` and `portrait` are 3:2 and 2:3, as OpenAI names 1536x1024 and 1024x1536. */
export const SHAPES = {
  square: [1, 1],
  landscape: [3, 2],
  portrait: [2, 3],
} as const satisfies Record<string, readonly [number, number]>;
export type ShapeName = keyof typeof SHAPES;

/**
 * The longest edge a route produces: one step of 16 under the 3840 that the size rules allow,
 * because Azure's model catalog says the long edge must be "less than 3840px" while its how-to says
 * "up to 3,840". A route is our choice of pixels, so it takes the size both agree on; an explicit
 * `3840x2160` in a manifest is still sent as written.
 */
export const ROUTING_MAX_EDGE = 3824;

export interface Aspect {
  /** As written: a shape name or `W:H`. */
  label: string;
  width: number;
  height: number;
}

export type SizeRoute = { mode: 'legacy'; tier: SizeTier; aspect: Aspect } | { mode: 'tokens'; bucket: TokenBucket; aspect: Aspect };

export type RouteResult = { ok: true; route: SizeRoute; canonical: string; width: number; height: number } | { ok: false; message: string; hint: string };

const SQUARE: Aspect = { label: 'square', width: 1, height: 1 };
const SHAPE_HINT = `add a shape (${Object.keys(SHAPES).join(', ')}) or an aspect such as 16:9, 4:3, 21:9, 9:16, up to ${MAX_ASPECT_RATIO}:1`;
const ROUTE_EXAMPLES = `'large landscape', 'standard 16:9', 'small' or 'tokens:64 16:9'`;

/** Pixel budget of a token bucket: linear from MIN_PIXELS at the first bucket to MAX_PIXELS at the last. */
export function tokenBucketPixels(bucket: TokenBucket): number {
  const first = TOKEN_BUCKETS[0];
  const last = TOKEN_BUCKETS[TOKEN_BUCKETS.length - 1]!;
  return Math.round(MIN_PIXELS + ((bucket - first) / (last - first)) * (MAX_PIXELS - MIN_PIXELS));
}

export function routePixels(route: SizeRoute): number {
  return route.mode === 'legacy' ? TIER_PIXELS[route.tier] : tokenBucketPixels(route.bucket);
}

/** The concrete size of a route: its pixel budget at its aspect, made valid. */
export function routeSize(route: SizeRoute): { width: number; height: number } {
  const ratio = route.aspect.width / route.aspect.height;
  const edgeBudget = (ROUTING_MAX_EDGE * ROUTING_MAX_EDGE) / Math.max(ratio, 1 / ratio);
  const pixels = Math.min(routePixels(route), edgeBudget);
  const size = nearestValidSize(Math.sqrt(pixels * ratio), Math.sqrt(pixels / ratio));
  // Unreachable for aspects within 3:1 (the tests walk every route); a bug if it happens.
  if (!size) throw new Error(`no valid size for route ${describeRoute(route)}`);
  return size;
}

/** `legacy tier large, 3:2 (landscape)` / `tokens:64, 16:9`: for messages and docs. */
export function describeRoute(route: SizeRoute): string {
  const { label, width, height } = route.aspect;
  const aspect = /^\d/.test(label) ? label : `${width}:${height} (${label})`;
  return route.mode === 'legacy' ? `legacy tier ${route.tier}, ${aspect}` : `tokens:${route.bucket}, ${aspect}`;
}

/**
 * Reads a routing expression (already trimmed, lower-cased and single-spaced). Returns `undefined`
 * when `value` is not one at all, so the caller can try other size forms; a result with `ok: false`
 * when it is one but cannot be used (an unknown bucket, a shape wider than 3:1, ...).
 */
export function parseRoute(value: string): RouteResult | undefined {
  const tokens = /^tokens ?: ?(\S*)(?: (.+))?$/.exec(value);
  if (tokens) {
    const bucket = Number(tokens[1]);
    if (!(TOKEN_BUCKETS as readonly number[]).includes(bucket) || !/^\d+$/.test(tokens[1] ?? '')) {
      return { ok: false, message: `'tokens:${tokens[1] ?? ''}' is not a token bucket`, hint: `use one of ${TOKEN_BUCKETS.map((b) => `tokens:${b}`).join(', ')}, e.g. 'tokens:64 16:9'` };
    }
    const aspect = parseAspect(tokens[2]);
    if ('message' in aspect) return aspect;
    return routed({ mode: 'tokens', bucket: bucket as TokenBucket, aspect }, `tokens:${bucket}${tokens[2] ? ` ${tokens[2]}` : ''}`);
  }
  const tier = /^(small|standard|large)(?: (.+))?$/.exec(value);
  if (tier) {
    const aspect = parseAspect(tier[2]);
    if ('message' in aspect) return aspect;
    return routed({ mode: 'legacy', tier: tier[1] as SizeTier, aspect }, value);
  }
  if (value in SHAPES || /^\d+:\d+$/.test(value)) {
    return { ok: false, message: `'${value}' is a shape without a size`, hint: `put a tier or a token bucket before it: 'standard ${value}', 'large ${value}' or 'tokens:64 ${value}'` };
  }
  if (/^(smimage|image|xlimage)$/.test(value)) {
    return { ok: false, message: `'${value}' is a Foundry routing tier name, which the API does not accept as a size`, hint: `use Polyglyph's own tiers: ${ROUTE_EXAMPLES}` };
  }
  return undefined;
}

function routed(route: SizeRoute, canonical: string): RouteResult {
  return { ok: true, route, canonical, ...routeSize(route) };
}

function parseAspect(text: string | undefined): Aspect | { ok: false; message: string; hint: string } {
  if (text === undefined) return SQUARE;
  const shape = SHAPES[text as ShapeName] as readonly [number, number] | undefined;
  if (shape) return { label: text, width: shape[0], height: shape[1] };
  const ratio = /^(\d{1,3}):(\d{1,3})$/.exec(text);
  if (!ratio) return { ok: false, message: `'${text}' is not a shape or an aspect`, hint: SHAPE_HINT };
  const width = Number(ratio[1]);
  const height = Number(ratio[2]);
  if (width === 0 || height === 0) return { ok: false, message: `aspect ${text} has a zero side`, hint: SHAPE_HINT };
  if (Math.max(width, height) > MAX_ASPECT_RATIO * Math.min(width, height)) {
    return { ok: false, message: `aspect ${text} is wider than gpt-image-2's ${MAX_ASPECT_RATIO}:1`, hint: SHAPE_HINT };
  }
  return { label: text, width, height };
}
