import type { ImageQuality } from '../images/image-options.js';
import type { LocaleCode } from '../locales/registry.js';
import type { ManifestItem } from '../manifest/manifest-item.js';

/** Images that share everything their price depends on. */
export interface ImageGroup {
  locale: LocaleCode;
  size: string;
  quality: ImageQuality;
  images: number;
}

/**
 * Counts the images a manifest asks for by locale, size and quality: what a price depends on, and
 * what the validation summary does not keep. Memory grows with the distinct (locale, size, quality)
 * combinations, not with the manifest's length.
 */
export class ImageTally {
  images = 0;
  readonly imagesByLocale: Partial<Record<LocaleCode, number>> = {};
  readonly #groups = new Map<string, ImageGroup>();

  /** One valid manifest row: `variants` images in each of its locales. */
  add(item: Pick<ManifestItem, 'locales' | 'size' | 'quality' | 'variants'>): void {
    for (const locale of item.locales) {
      this.images += item.variants;
      this.imagesByLocale[locale] = (this.imagesByLocale[locale] ?? 0) + item.variants;
      const key = `${locale} ${item.size} ${item.quality}`;
      const group = this.#groups.get(key);
      if (group) group.images += item.variants;
      else this.#groups.set(key, { locale, size: item.size, quality: item.quality, images: item.variants });
    }
  }

  groups(): Iterable<Readonly<ImageGroup>> {
    return this.#groups.values();
  }
}
