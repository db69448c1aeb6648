/**
 * The model part of checking a row: which models it goes to (a `model` cell, else `--models`, else
 * the run's default model) and what each model's own rules make of the row: MAI models take other
 * sizes (normalised, with a warning), return PNG only and take none of the OpenAI output parameters.
 */
import { describeProvider, providerOf } from '../image-api/provider.js';
import { AZURE_FORMAT_HINT, azureFormatProblem } from '../images/azure-request-rules.js';
import type { ImageFormat } from '../images/image-options.js';
import { modelSizeWarning, resolveSizeFor } from '../images/model-size.js';
import { parseModelList } from '../deployments/run-models.js';
import type { KnownColumn } from './manifest-header.js';
import type { ManifestDefaults } from './manifest-options.js';

export interface RowModelProblem {
  column: KnownColumn;
  severity: 'error' | 'warning';
  code: string;
  message: string;
  hint: string;
}

/** The models a `model` cell names (several separated by `;` `,` `|` or spaces), else `--models`'; undefined: the run's default. */
export function rowModels(cell: string, defaults: Pick<ManifestDefaults, 'models'>): { models: string[] | undefined; problems: RowModelProblem[] } {
  if (cell === '') return { models: defaults.models, problems: [] };
  const { models, invalid } = parseModelList(cell);
  const problems: RowModelProblem[] = invalid.map((name) => ({
    column: 'model',
    severity: 'error',
    code: 'invalid-model',
    message: `'${name}' is not a model name`,
    hint: 'name deployed models (letters, digits, . _ -), several separated by ; e.g. gpt-image-2;MAI-Image-2e',
  }));
  return { models: models.length > 0 ? models : undefined, problems };
}

/** The models a row's images go to, when known: its own, or the run's default model. */
export function effectiveModels(models: string[] | undefined, defaults: Pick<ManifestDefaults, 'defaultModel'>): string[] | undefined {
  return models ?? (defaults.defaultModel === undefined ? undefined : [defaults.defaultModel]);
}

/** Whether gpt-image-2's size rules concern the row: some model of it is an Azure OpenAI one (or the models are not known). */
export function usesAzureOpenAi(models: string[] | undefined, defaults: Pick<ManifestDefaults, 'defaultModel' | 'providers'>): boolean {
  const effective = effectiveModels(models, defaults);
  return effective === undefined || effective.some((model) => providerOf(model, defaults.providers) === 'azure-openai');
}

export interface RowModelInput {
  models: string[] | undefined;
  /** The size cell as written ('' when the row uses --size) and the canonical requested size. */
  sizeCell: string;
  requestedSize: string;
  formatCell: string;
  format: ImageFormat;
  /** Cells the row set explicitly, by column. */
  setCells: Partial<Record<'compression' | 'background' | 'moderation' | 'source_image', boolean>>;
}

/**
 * What MAI models make of the row: a size cell their rules change (warning), a format cell other than
 * png (warning: MAI's images are png), compression, background or moderation cells (warning: not sent
 * to MAI), and a source image (error: MAI-Image-2 and 2e have no images edits). Flag defaults are
 * reported once where the flags are read (manifestDefaults), not on every row.
 */
export function modelRowProblems(input: RowModelInput, defaults: Pick<ManifestDefaults, 'defaultModel' | 'providers'>): RowModelProblem[] {
  const problems: RowModelProblem[] = [];
  // Azure OpenAI returns no WEBP: refused here, before a paid-for answer in another format.
  const formatProblem = azureFormatProblem(input.format);
  if (formatProblem && usesAzureOpenAi(input.models, defaults)) {
    const models = (effectiveModels(input.models, defaults) ?? []).filter((model) => providerOf(model, defaults.providers) === 'azure-openai');
    problems.push({
      column: 'format',
      severity: 'error',
      code: 'format-not-on-azure',
      message: `${formatProblem}${models.length > 0 ? ` (${models.join(', ')})` : ''}${input.formatCell === '' ? ' (the format comes from --format)' : ''}`,
      hint: AZURE_FORMAT_HINT,
    });
  }
  const mai = (effectiveModels(input.models, defaults) ?? []).filter((model) => providerOf(model, defaults.providers) === 'mai');
  for (const model of mai) {
    if (input.sizeCell !== '') {
      const size = resolveSizeFor(input.requestedSize, 'mai');
      if (size.ok && size.derivation.kind === 'normalised') {
        const warning = modelSizeWarning(model, 'mai', { requested: size.requested, size: size.size, problem: size.derivation.problem });
        problems.push({ column: 'size', severity: 'warning', code: 'size-normalised', ...warning });
      }
    }
    if (input.formatCell !== '' && input.format !== 'png') {
      problems.push({
        column: 'format',
        severity: 'warning',
        code: 'format-for-model',
        message: `${model} (${describeProvider('mai')}) returns PNG only; its images of this row are png`,
        hint: `other models of the row still get ${input.format}; set the format to png to silence this`,
      });
    }
    for (const column of ['compression', 'background', 'moderation'] as const) {
      if (input.setCells[column]) {
        problems.push({
          column,
          severity: 'warning',
          code: 'parameter-not-sent',
          message: `${model} (${describeProvider('mai')}) takes no ${column}; it is not sent to it`,
          hint: "it still applies to the row's Azure OpenAI models; clear the cell to silence this",
        });
      }
    }
    if (input.setCells.source_image) {
      problems.push({
        column: 'source_image',
        severity: 'error',
        code: 'edits-not-supported',
        message: `${model} (${describeProvider('mai')}) has no images edits, which a source_image needs`,
        hint: 'send rows with a source_image to an Azure OpenAI model (a model cell such as gpt-image-2), or remove the source image',
      });
    }
  }
  return problems;
}
