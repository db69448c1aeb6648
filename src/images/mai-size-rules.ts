/**
 * Size rules of Microsoft's MAI image models (MAI-Image-2, MAI-Image-2e) on Foundry, and the
 * nearest-valid-size step for them. See docs/sizes-and-models.md, "MAI image models", for sources.
 *
 * Documented (Microsoft Learn, "Deploy and use MAI image models in Microsoft Foundry"; the same
 * numbers are in the wrappers that call the API, e.g. LiteLLM's Foundry MAI provider):
 * - the request names `width` and `height` as integers (there is no `size` string and no `auto`);
 * - both at least 768 pixels;
 * - `width x height` at most 1,048,576 pixels (1024x1024).
 *
 * Assumed, not documented:
 * - both edges multiples of 16 (gpt-image-2's grid; one third-party host of a later MAI model says
 *   custom sizes are rounded down to multiples of 16). Valid sizes on that grid are valid either
 *   way, and a service that rounded would return another size than asked, which Polyglyph's image
 *   check would then refuse. So Polyglyph only asks for sizes on the grid.
 *
 * Consequences: the long edge is at most 1360 (1360x768), the aspect ratio at most 1360:768
 * (about 16:9), and `auto` has no MAI meaning: Polyglyph asks for 1024x1024 (the documented example).
 */

export const MAI_MIN_EDGE = 768;
export const MAI_MAX_PIXELS = 1_048_576;
/** Assumed (see above). */
export const MAI_EDGE_MULTIPLE = 16;
/** What `auto` means for MAI: the size of the documented example. */
export const MAI_DEFAULT_SIZE = { width: 1024, height: 1024 } as const;
/** The longest edge the rules allow: the largest multiple of 16 with MAI_MIN_EDGE on the other side. */
export const MAI_MAX_EDGE = Math.floor(MAI_MAX_PIXELS / MAI_MIN_EDGE / MAI_EDGE_MULTIPLE) * MAI_EDGE_MULTIPLE;
/** Widest aspect ratio the rules allow (long edge / short edge). */
export const MAI_MAX_ASPECT_RATIO = MAI_MAX_EDGE / MAI_MIN_EDGE;

/** Why `width` x `height` is not a size MAI accepts, or `undefined` when it is. */
export function maiSizeProblem(width: number, height: number): string | undefined {
  if (!Number.isInteger(width) || !Number.isInteger(height)) return 'has an edge that is not a whole number';
  if (width % MAI_EDGE_MULTIPLE !== 0 || height % MAI_EDGE_MULTIPLE !== 0) return `has an edge that is not a multiple of ${MAI_EDGE_MULTIPLE}`;
  if (Math.min(width, height) < MAI_MIN_EDGE) return `has an edge below ${MAI_MIN_EDGE}`;
  const pixels = width * height;
  if (pixels > MAI_MAX_PIXELS) return `has ${pixels.toLocaleString('en-US')} pixels, more than the maximum ${MAI_MAX_PIXELS.toLocaleString('en-US')}`;
  return undefined;
}

/**
 * The valid MAI size closest to `width` x `height`: the aspect ratio clamped to what the rules allow,
 * the pixel count clamped to at most 1,048,576 (and to at least what keeps the short edge at 768),
 * then the best of the roundings to multiples of 16 that the rules accept. Deterministic, so the same
 * request always maps to the same size (image identities and blob names stay stable).
 */
export function nearestMaiSize(width: number, height: number): { width: number; height: number } | undefined {
  if (!(width > 0 && height > 0)) return undefined;
  const ratio = Math.min(Math.max(width / height, 1 / MAI_MAX_ASPECT_RATIO), MAI_MAX_ASPECT_RATIO);
  // The fewest pixels at this ratio that keep the short edge at the minimum.
  const minPixels = MAI_MIN_EDGE * MAI_MIN_EDGE * Math.max(ratio, 1 / ratio);
  const pixels = Math.min(Math.max(width * height, minPixels), MAI_MAX_PIXELS);
  const idealWidth = Math.sqrt(pixels * ratio);
  const idealHeight = Math.sqrt(pixels / ratio);
  let best: { width: number; height: number; distance: number } | undefined;
  // Two grid steps either way: near the corners of the allowed region the nearest roundings can all
  // break a rule (a 768 edge rounded down, a pixel count rounded over the maximum).
  const around = (ideal: number): number[] => {
    const base = Math.floor(ideal / MAI_EDGE_MULTIPLE);
    return [base - 1, base, base + 1, base + 2].map((n) => n * MAI_EDGE_MULTIPLE);
  };
  for (const w of around(idealWidth)) {
    for (const h of around(idealHeight)) {
      if (maiSizeProblem(w, h)) continue;
      const distance = Math.abs(Math.log(w / h / ratio)) + Math.abs(Math.log((w * h) / pixels));
      if (!best || distance < best.distance - 1e-12) best = { width: w, height: h, distance };
    }
  }
  return best && { width: best.width, height: best.height };
}
