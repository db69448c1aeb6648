import type { Config } from '../config/settings.js';
import { ConfigError } from '../errors/polyglyph-error.js';
import { AZURE_FORMAT_HINT, azureFormatProblem, experimentalEdgeWarning } from '../images/azure-request-rules.js';
import { backgroundProblem } from '../images/image-options.js';
import { normalisedSizeWarning, resolveSize } from '../images/resolve-size.js';
import { describeAcceptedLocales, parseLocaleList } from '../locales/registry.js';
import { HAS_LETTER_OR_DIGIT } from '../manifest/check-row.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { loadDeployments } from '../deployments/deployment-spec.js';
import { modelProviders, namedModels, servedModels } from '../deployments/run-models.js';
import { providerOf } from '../image-api/provider.js';
import { modelSizeWarning, resolveSizeFor } from '../images/model-size.js';

export interface ManifestDefaultsOptions {
  /** Where a warning about a default goes (a `--size` that will be normalised). Default: stderr. */
  warn?: (message: string) => void;
}

/** Manifest defaults from the configuration (flags and environment), checked like manifest cells. */
export function manifestDefaults(config: Config, options: ManifestDefaultsOptions = {}): ManifestDefaults {
  const size = resolveSize(config.size);
  if (!size.ok) throw new ConfigError(`--size / POLYGLYPH_SIZE: ${size.message}`, { hint: size.hint });
  const warn = options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
  // The models: --models for rows without a model cell, else the pool's one model; whether each is
  // served is checked where the run is planned (run-models.ts), so `run` can start a stand-in first.
  const deployments = loadDeployments(config);
  const served = servedModels(deployments);
  const providers = modelProviders(deployments);
  const models = namedModels(config);
  const defaultModel = models?.[0] ?? (served.length === 1 ? served[0] : undefined);
  const runModels = models ?? (defaultModel === undefined ? [] : [defaultModel]);
  const azureOpenAi = runModels.length === 0 || runModels.some((model) => providerOf(model, providers) === 'azure-openai');
  if (size.derivation.kind === 'normalised' && azureOpenAi) {
    // Once here rather than on every row that uses the default.
    const warning = normalisedSizeWarning({ requested: size.requested, size: size.size, problem: size.derivation.problem });
    warn(`warning: --size / POLYGLYPH_SIZE: ${warning.message}; fix: ${warning.hint}`);
  } else if (size.derivation.kind === 'exact' && azureOpenAi) {
    const experimental = experimentalEdgeWarning(size.width!, size.height!);
    if (experimental) warn(`warning: --size / POLYGLYPH_SIZE: ${experimental.message}; fix: ${experimental.hint}`);
  }
  const formatProblem = azureFormatProblem(config.format);
  if (formatProblem && azureOpenAi) throw new ConfigError(`--format / POLYGLYPH_FORMAT: ${formatProblem}`, { hint: AZURE_FORMAT_HINT });
  const background = backgroundProblem(config.background, config.format);
  if (background) {
    throw new ConfigError(`--background / POLYGLYPH_BACKGROUND: ${background} (--format is ${config.format})`, {
      hint: 'use --format png (or webp) with --background transparent, or another background',
    });
  }
  if (config.campaign !== undefined && !HAS_LETTER_OR_DIGIT.test(config.campaign)) {
    throw new ConfigError(`--campaign / POLYGLYPH_CAMPAIGN: the campaign '${config.campaign}' has no letter or digit, so it cannot name the images' blob folder`, {
      hint: 'give the campaign at least one letter or digit, e.g. --campaign spring-2026',
    });
  }
  let locales;
  if (config.locales !== undefined) {
    const parsed = parseLocaleList(config.locales);
    if (parsed.unknown.length > 0 || parsed.locales.length === 0) {
      throw new ConfigError(`--locales / POLYGLYPH_LOCALES: unknown locale ${parsed.unknown.map((l) => `'${l}'`).join(', ') || "''"}`, { hint: `use ${describeAcceptedLocales()}` });
    }
    locales = parsed.locales;
  }
  for (const model of runModels) {
    if (providerOf(model, providers) !== 'mai') continue;
    // The flags' effect on MAI models, once here rather than on every row (as for gpt-image-2 above).
    const maiSize = resolveSizeFor(size.requested, 'mai');
    if (maiSize.ok && maiSize.derivation.kind === 'normalised') {
      const warning = modelSizeWarning(model, 'mai', { requested: maiSize.requested, size: maiSize.size, problem: maiSize.derivation.problem });
      warn(`warning: --size / POLYGLYPH_SIZE: ${warning.message}; fix: ${warning.hint}`);
    }
    if (config.format !== 'png') warn(`warning: --format / POLYGLYPH_FORMAT: ${model} returns PNG only; its images are png (${config.format} applies to the other models)`);
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
    ...(models ? { models } : {}),
    ...(defaultModel !== undefined ? { defaultModel } : {}),
    providers,
  };
}
