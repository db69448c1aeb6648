import type { ModelProviders } from '../image-api/provider.js';
import type { ImageQuality } from '../images/image-options.js';
import type { LocaleCode } from '../locales/registry.js';
import type { ManifestItem } from '../manifest/manifest-item.js';
import { itemForModel } from '../queue/model-jobs.js';

/** Images that share everything their price depends on. */
export interface ImageGroup {
  /** The model; undefined: the run's default model (rows that name none). */
  model?: string | undefined;
  locale: LocaleCode;
  size: string;
  quality: ImageQuality;
  images: number;
}

export interface ImageTallyOptions {
  /** The run's default model, so rows that name none are sized by its rules (MAI's differ). */
  defaultModel?: string | undefined;
  providers?: ModelProviders | undefined;
}

/**
 * Counts the images a manifest asks for by model, locale, size and quality: what a price depends on,
 * and what the validation summary does not keep. Each model of a row counts the row's images once,
 * at the size that model is asked for. Memory grows with the distinct (model, locale, size, quality)
 * combinations, not with the manifest's length.
 */
export class ImageTally {
  images = 0;
  readonly imagesByLocale: Partial<Record<LocaleCode, number>> = {};
  /** Images per model; the key undefined is the run's default model (rows that name none). */
  readonly imagesByModel = new Map<string | undefined, number>();
  /** Some row named its models (a model cell or --models). */
  namesModels = false;
  readonly #groups = new Map<string, ImageGroup>();
  readonly #options: ImageTallyOptions;

  constructor(options: ImageTallyOptions = {}) {
    this.#options = options;
  }

  /** One valid manifest row: `variants` images in each of its locales, for each of its models. */
  add(item: Pick<ManifestItem, 'locales' | 'size' | 'quality' | 'variants'> & Partial<Pick<ManifestItem, 'models' | 'requestedSize' | 'format' | 'line'>>): void {
    if (item.models) this.namesModels = true;
    for (const model of item.models ?? [undefined]) {
      const sizedFor = model ?? this.#options.defaultModel;
      const size = sizedFor === undefined || item.requestedSize === undefined ? item.size : itemForModel(item as ManifestItem, sizedFor, this.#options.providers).size;
      this.imagesByModel.set(model, (this.imagesByModel.get(model) ?? 0) + item.variants * item.locales.length);
      for (const locale of item.locales) {
        this.images += item.variants;
        this.imagesByLocale[locale] = (this.imagesByLocale[locale] ?? 0) + item.variants;
        const key = `${model ?? ''} ${locale} ${size} ${item.quality}`;
        const group = this.#groups.get(key);
        if (group) group.images += item.variants;
        else this.#groups.set(key, { ...(model !== undefined ? { model } : {}), locale, size, quality: item.quality, images: item.variants });
      }
    }
  }

  groups(): Iterable<Readonly<ImageGroup>> {
    return this.#groups.values();
  }
}
