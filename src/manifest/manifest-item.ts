import type { ImageBackground, ImageFormat, ImageModeration, ImageQuality } from '../images/image-options.js';
import type { LocaleCode } from '../locales/registry.js';
import type { SourceRef } from '../sources/source-ref.js';

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
  /** What is requested: `auto` or a `WxH` the model accepts (normalised or routed from `requestedSize`). */
  size: string;
  /** The size as the manifest (or `--size`) asked for it, canonically spelled: `4096x4096`, `large landscape`. */
  requestedSize: string;
  quality: ImageQuality;
  format: ImageFormat;
  /** `output_compression`, jpeg and webp only; absent: not sent. */
  compression?: number;
  /** `background`; absent: not sent. */
  background?: ImageBackground;
  /** `moderation`; absent: not sent. */
  moderation?: ImageModeration;
  /** Images per locale, 1..10. */
  variants: number;
  /** Campaign name, `[A-Za-z0-9._-]{1,64}`. */
  campaign: string;
  /**
   * The models this row names (its `model` cell, else `--models`), each getting every image of the
   * row; absent: the run's default model. Sizes, format and parameters per model: src/queue/model-jobs.ts.
   */
  models?: string[];
  /** A master creative to localize through images edits, instead of generating from nothing. */
  sourceImage?: SourceRef;
}
