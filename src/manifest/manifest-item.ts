import type { ImageFormat, ImageQuality } from '../images/image-options.js';
import type { LocaleCode } from '../locales/registry.js';

/** One valid manifest row, normalised: every default applied, every locale canonical. */
export interface ManifestItem {
  /** 1-based line on which the record starts (a quoted field may span several lines). */
  line: number;
  /** Stable message id, `[A-Za-z0-9._-]{1,128}`, unique in the manifest. */
  id: string;
  /** Source message, as written. */
  message: string;
  /** Canonical locales in manifest order, duplicates removed. */
  locales: LocaleCode[];
  /** Verbatim localized text per locale, from `text:<locale>` columns (non-empty cells only). */
  texts: Partial<Record<LocaleCode, string>>;
  /** Creative direction (scene, layout, style); '' when none. */
  prompt: string;
  /** `auto` or `WxH` (already checked against the model's size rules). */
  size: string;
  quality: ImageQuality;
  format: ImageFormat;
  /** Images per locale, 1..10. */
  variants: number;
  /** Campaign name, `[A-Za-z0-9._-]{1,64}`. */
  campaign: string;
}
