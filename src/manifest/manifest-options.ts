import type { ImageFormat, ImageQuality } from '../images/image-options.js';
import type { LocaleCode } from '../locales/registry.js';

/** What a row gets for a column it leaves empty or does not have (from flags and environment). */
export interface ManifestDefaults {
  /** Used when the manifest has no `locales` column or a row leaves it empty. */
  locales?: LocaleCode[];
  /** Used when a row has no campaign; else the manifest's file name without extension. */
  campaign?: string;
  size: string;
  quality: ImageQuality;
  format: ImageFormat;
  variants: number;
}
