/** Output parameters of one image request, as the manifest and the CLI name them. */

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
