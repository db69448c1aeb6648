/**
 * Output parameters of one image request, as the manifest and the CLI name them. Their rules come
 * from OpenAI's Images API reference and Azure's image generation how-to (see docs/sizes-and-models.md, "Output
 * parameters" section): the stand-in API in src/mock-api enforces the same rules on its side.
 */

export const IMAGE_QUALITIES = ['low', 'medium', 'high', 'auto'] as const;
export type ImageQuality = (typeof IMAGE_QUALITIES)[number];

export const IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** MIME type stored as the blob's content type. */
export const CONTENT_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

/** Images per (message, locale): the API's `n`. */
export const MIN_VARIANTS = 1;
export const MAX_VARIANTS = 10;

/** `output_compression`: an integer percentage, for the lossy formats only. */
export const MIN_COMPRESSION = 0;
export const MAX_COMPRESSION = 100;
export const COMPRESSIBLE_FORMATS: readonly ImageFormat[] = ['jpeg', 'webp'];

/** `background`: `transparent` needs a format with an alpha channel. */
export const IMAGE_BACKGROUNDS = ['transparent', 'opaque', 'auto'] as const;
export type ImageBackground = (typeof IMAGE_BACKGROUNDS)[number];
export const TRANSPARENT_FORMATS: readonly ImageFormat[] = ['png', 'webp'];

/** `moderation`: `low` asks for less restrictive filtering; `auto` is the service's default. */
export const IMAGE_MODERATIONS = ['low', 'auto'] as const;
export type ImageModeration = (typeof IMAGE_MODERATIONS)[number];

/** Why a background cannot go with a format, or `undefined` when it can. */
export function backgroundProblem(background: ImageBackground | undefined, format: ImageFormat): string | undefined {
  if (background !== 'transparent' || TRANSPARENT_FORMATS.includes(format)) return undefined;
  return `a transparent background needs ${TRANSPARENT_FORMATS.join(' or ')}; ${format} has no alpha channel`;
}
