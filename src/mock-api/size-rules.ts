/**
 * gpt-image-2's size rules as the service enforces them. Written out here rather than imported from
 * the client's sizing code on purpose: a stand-in that shares the client's rules would agree with
 * the client's bugs.
 */
export const SIZE_RULES = {
  edgeMultiple: 16,
  maxAspectRatio: 3,
  minPixels: 655_360,
  maxPixels: 8_294_400,
  maxEdge: 3840,
} as const;

/** What `size: 'auto'` produces. */
export const AUTO_SIZE = { width: 1024, height: 1024 } as const;

export interface ImageDimensions {
  width: number;
  height: number;
}

/** Returns the dimensions for a valid `size`, or the reason it is refused. */
export function parseSize(size: string): ImageDimensions | string {
  if (size === 'auto') return AUTO_SIZE;
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (!match) return "expected 'auto' or WIDTHxHEIGHT, e.g. '1024x1536'";
  const width = Number(match[1]);
  const height = Number(match[2]);
  const { edgeMultiple, maxAspectRatio, minPixels, maxPixels, maxEdge } = SIZE_RULES;
  if (width % edgeMultiple !== 0 || height % edgeMultiple !== 0) return `width and height must be multiples of ${edgeMultiple}`;
  if (Math.max(width, height) > maxEdge) return `the longest edge must be at most ${maxEdge} pixels`;
  if (Math.max(width, height) / Math.min(width, height) > maxAspectRatio) return `the long edge must be at most ${maxAspectRatio} times the short edge`;
  const pixels = width * height;
  if (pixels < minPixels || pixels > maxPixels) return `the image must have between ${minPixels} and ${maxPixels} pixels, got ${pixels}`;
  return { width, height };
}
