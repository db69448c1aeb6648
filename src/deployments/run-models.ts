/**
 * Which models a run renders with, and whether the pool can serve them.
 *
 * - `--models a,b` (POLYGLYPH_MODELS) names the models for every row without a `model` cell;
 * - a `model` cell names a row's own models;
 * - a row that names none uses the run's default model: the one model the deployments serve (what
 *   every run did before runs could name several).
 *
 * Every model a run names must be served by some deployment of the pool (the single deployment of
 * AZURE_OPENAI_*, or the deployments file); otherwise the run is refused before anything is enqueued.
 */
import type { Config } from '../config/settings.js';
import { ConfigError, InputError } from '../errors/polyglyph-error.js';
import { providerForModel, type ImageProvider, type ModelProviders } from '../image-api/provider.js';
import type { ManifestSummary } from '../manifest/validate-manifest.js';
import type { DeploymentSpec } from './deployment-spec.js';

/** A model name as a deployments file, a `--models` list or a `model` cell may give it. */
export const MODEL_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** `gpt-image-2, MAI-Image-2e` -> the names in order, duplicates dropped; names that are not model names apart. */
export function parseModelList(text: string): { models: string[]; invalid: string[] } {
  const models: string[] = [];
  const invalid: string[] = [];
  for (const name of text.split(/[\s,;|]+/).filter((part) => part !== '')) {
    if (!MODEL_NAME.test(name)) invalid.push(name);
    else if (!models.includes(name)) models.push(name);
  }
  return { models, invalid };
}

/** The models a pool serves, in the order of its deployments. */
export function servedModels(specs: readonly DeploymentSpec[]): string[] {
  return [...new Set(specs.map((spec) => spec.model))];
}

/** Each served model's provider. Two deployments of one model that speak different APIs are a configuration error. */
export function modelProviders(specs: readonly DeploymentSpec[]): Record<string, ImageProvider> {
  const providers: Record<string, ImageProvider> = Object.create(null) as Record<string, ImageProvider>;
  for (const spec of specs) {
    const known = providers[spec.model];
    if (known !== undefined && known !== spec.provider) {
      throw new ConfigError(`deployments of model '${spec.model}' disagree on its provider (${known} and ${spec.provider}, '${spec.name}')`, {
        hint: 'give every deployment of one model the same "provider" (or none)',
      });
    }
    providers[spec.model] = spec.provider;
  }
  return providers;
}

/** `--models` / POLYGLYPH_MODELS, parsed; undefined when not given. */
export function namedModels(config: Pick<Config, 'models'>): string[] | undefined {
  if (config.models === undefined) return undefined;
  const { models, invalid } = parseModelList(config.models);
  if (invalid.length > 0 || models.length === 0) {
    throw new ConfigError(`--models / POLYGLYPH_MODELS: expected model names (letters, digits, . _ -) separated by commas, got '${config.models}'`, { hint: 'e.g. --models gpt-image-2,MAI-Image-2e' });
  }
  return models;
}

export interface RunModels {
  /** The model of rows that name none: `--models`' first, else the pool's one model. */
  defaultModel: string;
  /** `--models`, when given. */
  named: string[] | undefined;
  /** Every model the pool serves. */
  served: string[];
  providers: ModelProviders;
}

/**
 * The run's models from the configuration and the pool: `--models` must each be served; without it
 * the default model is the pool's (its first when it serves several: then every row must name its
 * models, which checkManifestModelsServed enforces once the manifest is read). Replaces the old rule
 * that a pool serves exactly one model.
 */
export function runModels(config: Pick<Config, 'models'>, specs: readonly DeploymentSpec[]): RunModels {
  const served = servedModels(specs);
  const providers = modelProviders(specs);
  const named = namedModels(config);
  if (named) {
    checkModelsServed(named, specs, ' (named by --models / POLYGLYPH_MODELS)');
    return { defaultModel: named[0]!, named, served, providers };
  }
  // Several models and no --models: rows must name theirs (checkManifestModelsServed refuses rows
  // that do not); the first model stands in as the default for what needs one (the plan's options).
  return { defaultModel: served[0]!, named: undefined, served, providers };
}

/** Throws a ConfigError for the first of `models` no deployment serves, saying how to add one. */
export function checkModelsServed(models: Iterable<string>, specs: readonly DeploymentSpec[], where = ''): void {
  const served = servedModels(specs);
  for (const model of models) {
    if (served.includes(model)) continue;
    throw new ConfigError(`no deployment serves model '${model}'${where}; the deployments serve ${served.join(', ')}`, { hint: addDeploymentHint(model) });
  }
}

/**
 * The manifest's side of the same check: every model a `model` cell names must be served (the line
 * naming each first is in the message), and when the pool serves several models and the run names
 * none with --models, every row must name its own.
 */
export function checkManifestModelsServed(file: string, summary: Pick<ManifestSummary, 'modelLines' | 'rowsWithoutModel' | 'firstLineWithoutModel'>, specs: readonly DeploymentSpec[]): void {
  const served = servedModels(specs);
  const firstLines = summary.modelLines;
  if (summary.rowsWithoutModel > 0 && served.length > 1) {
    throw new ConfigError(
      `the deployments serve several models (${served.join(', ')}) and ${summary.rowsWithoutModel} row${summary.rowsWithoutModel === 1 ? '' : 's'} of ${file} name none (the first on line ${summary.firstLineWithoutModel ?? '?'}); nothing was enqueued`,
      {
        hint: `name the run's models with --models (POLYGLYPH_MODELS), e.g. --models ${served.join(',')}, or give every row a model cell`,
      },
    );
  }
  const missing = Object.keys(firstLines).filter((model) => !served.includes(model));
  if (missing.length === 0) return;
  const list = missing.map((model) => `'${model}' (line ${firstLines[model]})`).join(', ');
  throw new InputError(`${file}: no deployment serves model ${list}; the deployments serve ${served.join(', ')}; nothing was enqueued`, {
    hint: `fix the model cell, or ${addDeploymentHint(missing[0]!)}`,
  });
}

function addDeploymentHint(model: string): string {
  const provider = providerForModel(model);
  const endpoint = provider === 'mai' ? 'https://NAME.services.ai.azure.com' : 'https://NAME.openai.azure.com';
  return `add a deployment of ${model} to the deployments file (--deployments-file / POLYGLYPH_DEPLOYMENTS_FILE), e.g. {"name": "${model.toLowerCase()}", "endpoint": "${endpoint}", "deployment": "${model}", "model": "${model}", "imagesPerMinute": 6}; with a single deployment, set AZURE_OPENAI_DEPLOYMENT=${model}`;
}
