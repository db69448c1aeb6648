import type { Config } from '../config/settings.js';
import { ConfigError } from '../errors/polyglyph-error.js';
import { parseSize } from '../images/size.js';
import { describeAcceptedLocales, parseLocaleList } from '../locales/registry.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';

/** Manifest defaults from the configuration (flags and environment), checked like manifest cells. */
export function manifestDefaults(config: Config): ManifestDefaults {
  const size = parseSize(config.size);
  if (!size.ok) throw new ConfigError(`--size / POLYGLYPH_SIZE: ${size.message}`, { hint: size.hint });
  let locales;
  if (config.locales !== undefined) {
    const parsed = parseLocaleList(config.locales);
    if (parsed.unknown.length > 0 || parsed.locales.length === 0) {
      throw new ConfigError(`--locales / POLYGLYPH_LOCALES: unknown locale ${parsed.unknown.map((l) => `'${l}'`).join(', ') || "''"}`, { hint: `use ${describeAcceptedLocales()}` });
    }
    locales = parsed.locales;
  }
  return { size: size.size, quality: config.quality, format: config.format, variants: config.variants, ...(locales ? { locales } : {}), ...(config.campaign ? { campaign: config.campaign } : {}) };
}
