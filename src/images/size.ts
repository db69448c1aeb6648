/**
 * gpt-image-2's size rules (Microsoft's and OpenAI's image generation docs): `auto`, or `WxH` with
 * both edges multiples of 16, long edge at most 3x the short one, between 655,360 and 8,294,400
 * pixels in total and no edge above 3840 (see docs/sizes-and-models.md, "Sizes", for which document says
 * what). Sizes are resolved (resolve-size.ts) before anything is enqueued, so a bad size costs nothing.
 */

export const SIZE_MULTIPLE = 16;
export const MAX_ASPECT_RATIO = 3;
export const MIN_PIXELS = 655_360;
export const MAX_PIXELS = 8_294_400;
export const MAX_EDGE = 3840;

/** The sizes every gpt-image model documents; anything else is a custom size. */
export const NAMED_SIZES = ['1024x1024', '1536x1024', '1024x1536'] as const;

/**
 * Why `width` x `height` is not a size gpt-image-2 accepts, or `undefined` when it is. The order is
 * the order a person fixes things in: the grid, the long edge, the shape, then the pixel count.
 */
export function sizeProblem(width: number, height: number): string | undefined {
  if (width % SIZE_MULTIPLE !== 0 || height % SIZE_MULTIPLE !== 0) return `has an edge that is not a multiple of ${SIZE_MULTIPLE}`;
  if (Math.max(width, height) > MAX_EDGE) return `has an edge above ${MAX_EDGE}`;
  if (Math.max(width, height) > MAX_ASPECT_RATIO * Math.min(width, height)) return `is wider than ${MAX_ASPECT_RATIO}:1`;
  const pixels = width * height;
  if (pixels < MIN_PIXELS) return `has ${pixels.toLocaleString('en-US')} pixels, fewer than the minimum ${MIN_PIXELS.toLocaleString('en-US')}`;
  if (pixels > MAX_PIXELS) return `has ${pixels.toLocaleString('en-US')} pixels, more than the maximum ${MAX_PIXELS.toLocaleString('en-US')}`;
  return undefined;
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
