import type { ImageBackground, ImageFormat, ImageModeration, ImageQuality } from '../images/image-options.js';
import type { LocaleCode } from '../locales/registry.js';
import type { ModelProviders } from '../image-api/provider.js';

/** What a row gets for a column it leaves empty or does not have (from flags and environment). */
export interface ManifestDefaults {
  /** Used when the manifest has no `locales` column or a row leaves it empty. */
  locales?: LocaleCode[];
  /** Used when a row has no campaign; else the manifest's file name without extension. */
  campaign?: string;
  /** A size as a `size` cell would give it (resolved per row): `WxH`, `auto`, a tier or a token bucket. */
  size: string;
  quality: ImageQuality;
  format: ImageFormat;
  variants: number;
  /** For jpeg and webp rows without a `compression` cell; png rows never get it. */
  compression?: number | undefined;
  background?: ImageBackground | undefined;
  moderation?: ImageModeration | undefined;
  /** `--models`: the models of rows without a `model` cell (each image once per model); absent: the run's default model. */
  models?: string[] | undefined;
  /** The run's default model when known (the pool's one model), so rows that name none get its size rules and warnings. */
  defaultModel?: string | undefined;
  /** The pool's models' providers; a model not listed follows its name (`MAI-...` is MAI). */
  providers?: ModelProviders | undefined;
}
