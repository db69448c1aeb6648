/**
 * The MAI image API's request rules as the stand-in enforces them, written out here rather than
 * imported from the client's sizing code (src/images/mai-size-rules.ts) on purpose: a stand-in that
 * shares the client's rules would agree with the client's bugs.
 *
 * Documented: `width` and `height` at least 768, their product at most 1,048,576; PNG output.
 * Assumed (and so enforced, to hold the client to it): edges multiples of 16, no `n`, prompts up to
 * 32,000 characters, and no fields besides model, prompt, width and height.
 */
export const MAI_RULES = {
  minEdge: 768,
  maxPixels: 1_048_576,
  edgeMultiple: 16,
  maxPromptChars: 32_000,
  fields: ['model', 'prompt', 'width', 'height'],
} as const;

/** Why width x height is refused, or undefined when MAI accepts it. */
export function maiDimensionsProblem(width: number, height: number): string | undefined {
  const { minEdge, maxPixels, edgeMultiple } = MAI_RULES;
  if (width < minEdge || height < minEdge) return `width and height must each be at least ${minEdge}`;
  if (width * height > maxPixels) return `width x height must be at most ${maxPixels} pixels, got ${width * height}`;
  if (width % edgeMultiple !== 0 || height % edgeMultiple !== 0) return `width and height must be multiples of ${edgeMultiple}`;
  return undefined;
}
