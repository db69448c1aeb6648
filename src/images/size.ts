/**
 * gpt-image-2's size rules (Microsoft's and OpenAI's image generation docs): `auto`, or `WxH` with
 * both edges multiples of 16, long edge at most 3x the short one, between 655,360 and 8,294,400
 * pixels in total and no edge above 3840. Checked before anything is enqueued, so a bad size costs
 * nothing.
 */

export const SIZE_MULTIPLE = 16;
export const MAX_ASPECT_RATIO = 3;
export const MIN_PIXELS = 655_360;
export const MAX_PIXELS = 8_294_400;
export const MAX_EDGE = 3840;

/** The sizes every gpt-image model documents; anything else is a custom size. */
export const NAMED_SIZES = ['1024x1024', '1536x1024', '1024x1536'] as const;

/** Tier words a user may reach for; routing them to pixels is a separate feature. */
const SIZE_TIERS = ['small', 'standard', 'large', 'landscape', 'portrait', 'square'];

export type SizeResult = { ok: true; size: string; width?: number; height?: number } | { ok: false; message: string; hint: string };

export function parseSize(input: string): SizeResult {
  const value = input.trim().toLowerCase();
  if (value === 'auto') return { ok: true, size: 'auto' };
  const match = /^(\d{1,5})\s*[x×]\s*(\d{1,5})$/.exec(value);
  if (!match) {
    if (SIZE_TIERS.some((tier) => value.includes(tier))) {
      return { ok: false, message: `size tier '${input}' is not supported yet`, hint: `give pixels, e.g. ${NAMED_SIZES.join(', ')}, or auto` };
    }
    return { ok: false, message: `'${input}' is not a size`, hint: `use WIDTHxHEIGHT (e.g. ${NAMED_SIZES.join(', ')}) or auto` };
  }
  const width = Number(match[1]);
  const height = Number(match[2]);
  const size = `${width}x${height}`;
  const problem = sizeProblem(width, height);
  if (problem) return { ok: false, message: `size ${size} ${problem}`, hint: suggestion(width, height) };
  return { ok: true, size, width, height };
}

function sizeProblem(width: number, height: number): string | undefined {
  if (width % SIZE_MULTIPLE !== 0 || height % SIZE_MULTIPLE !== 0) return `has an edge that is not a multiple of ${SIZE_MULTIPLE}`;
  if (Math.max(width, height) > MAX_EDGE) return `has an edge above ${MAX_EDGE}`;
  if (Math.max(width, height) > MAX_ASPECT_RATIO * Math.min(width, height)) return `is wider than ${MAX_ASPECT_RATIO}:1`;
  const pixels = width * height;
  if (pixels < MIN_PIXELS) return `has ${pixels.toLocaleString('en-US')} pixels, fewer than the minimum ${MIN_PIXELS.toLocaleString('en-US')}`;
  if (pixels > MAX_PIXELS) return `has ${pixels.toLocaleString('en-US')} pixels, more than the maximum ${MAX_PIXELS.toLocaleString('en-US')}`;
  return undefined;
}

function suggestion(width: number, height: number): string {
  const nearest = nearestValidSize(width, height);
  return nearest ? `the nearest valid size is ${nearest.width}x${nearest.height}` : `use a size such as ${NAMED_SIZES.join(', ')}`;
}

/**
 * The valid size closest to `width` x `height`: the aspect ratio clamped to 3:1, the pixel count
 * clamped to the allowed range (and to what keeps the long edge within 3840), then the best of the
 * four roundings to multiples of 16. Deterministic, so the same request always maps to the same size.
 */
export function nearestValidSize(width: number, height: number): { width: number; height: number } | undefined {
  if (!(width > 0 && height > 0)) return undefined;
  const ratio = Math.min(Math.max(width / height, 1 / MAX_ASPECT_RATIO), MAX_ASPECT_RATIO);
  const maxPixelsForEdge = (MAX_EDGE * MAX_EDGE) / Math.max(ratio, 1 / ratio);
  const pixels = Math.min(Math.max(width * height, MIN_PIXELS), MAX_PIXELS, maxPixelsForEdge);
  const idealWidth = Math.sqrt(pixels * ratio);
  const idealHeight = Math.sqrt(pixels / ratio);
  let best: { width: number; height: number; distance: number } | undefined;
  for (const w of [Math.floor(idealWidth / SIZE_MULTIPLE), Math.ceil(idealWidth / SIZE_MULTIPLE)].map((n) => n * SIZE_MULTIPLE)) {
    for (const h of [Math.floor(idealHeight / SIZE_MULTIPLE), Math.ceil(idealHeight / SIZE_MULTIPLE)].map((n) => n * SIZE_MULTIPLE)) {
      if (sizeProblem(w, h)) continue;
      const distance = Math.abs(Math.log(w / h / ratio)) + Math.abs(Math.log((w * h) / pixels));
      if (!best || distance < best.distance) best = { width: w, height: h, distance };
    }
  }
  return best && { width: best.width, height: best.height };
}
