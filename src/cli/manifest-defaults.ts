import type { Config } from '../config/settings.js';
import { ConfigError } from '../errors/polyglyph-error.js';
import { backgroundProblem } from '../images/image-options.js';
import { normalisedSizeWarning, resolveSize } from '../images/resolve-size.js';
import { describeAcceptedLocales, parseLocaleList } from '../locales/registry.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';

export interface ManifestDefaultsOptions {
  /** Where a warning about a default goes (a `--size` that will be normalised). Default: stderr. */
  warn?: (message: string) => void;
}

/** Manifest defaults from the configuration (flags and environment), checked like manifest cells. */
export function manifestDefaults(config: Config, options: ManifestDefaultsOptions = {}): ManifestDefaults {
  const size = resolveSize(config.size);
  if (!size.ok) throw new ConfigError(`--size / POLYGLYPH_SIZE: ${size.message}`, { hint: size.hint });
  if (size.derivation.kind === 'normalised') {
    // Once here rather than on every row that uses the default.
    const warning = normalisedSizeWarning({ requested: size.requested, size: size.size, problem: size.derivation.problem });
    (options.warn ?? ((message: string) => process.stderr.write(`${message}\n`)))(`warning: --size / POLYGLYPH_SIZE: ${warning.message}; fix: ${warning.hint}`);
  }
  const background = backgroundProblem(config.background, config.format);
  if (background) {
    throw new ConfigError(`--background / POLYGLYPH_BACKGROUND: ${background} (--format is ${config.format})`, { hint: 'use --format png (or webp) with --background transparent, or another background' });
  }
  let locales;
  if (config.locales !== undefined) {
    const parsed = parseLocaleList(config.locales);
    if (parsed.unknown.length > 0 || parsed.locales.length === 0) {
      throw new ConfigError(`--locales / POLYGLYPH_LOCALES: unknown locale ${parsed.unknown.map((l) => `'${l}'`).join(', ') || "''"}`, { hint: `use ${describeAcceptedLocales()}` });
    }
    locales = parsed.locales;
  }
  return {
    size: size.requested,
    quality: config.quality,
    format: config.format,
    variants: config.variants,
    ...(locales ? { locales } : {}),
    ...(config.campaign ? { campaign: config.campaign } : {}),
    ...(config.outputCompression !== undefined ? { compression: config.outputCompression } : {}),
    ...(config.background !== undefined ? { background: config.background } : {}),
    ...(config.moderation !== undefined ? { moderation: config.moderation } : {}),
  };
}
