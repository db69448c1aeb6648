import {
  COMPRESSIBLE_FORMATS,
  IMAGE_BACKGROUNDS,
  IMAGE_FORMATS,
  IMAGE_MODERATIONS,
  IMAGE_QUALITIES,
  MAX_COMPRESSION,
  MAX_VARIANTS,
  MIN_COMPRESSION,
  MIN_VARIANTS,
  backgroundProblem,
  type ImageBackground,
  type ImageFormat,
  type ImageModeration,
  type ImageQuality,
} from '../images/image-options.js';
import { MASTER_HINT, experimentalEdgeWarning, masterFileProblem } from '../images/azure-request-rules.js';
import { normalisedSizeWarning, resolveSize } from '../images/resolve-size.js';
import { describeAcceptedLocales, parseLocaleList, type LocaleCode } from '../locales/registry.js';
import { buildPrompt, MAX_PROMPT_CHARS } from '../prompts/build-prompt.js';
import { fieldPosition, type CsvRecord } from './csv-records.js';
import type { ManifestHeader } from './manifest-header.js';
import type { ManifestIssue } from './manifest-issue.js';
import type { ManifestItem } from './manifest-item.js';
import type { ManifestDefaults } from './manifest-options.js';
import type { SeenIds } from './seen-ids.js';
import { parseSourceRef } from '../sources/source-ref.js';
import { modelRowProblems, rowModels, usesAzureOpenAi } from './check-models.js';

export const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
export const CAMPAIGN_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** A campaign is the first segment of every blob name, which must start with a letter or digit. */
export const HAS_LETTER_OR_DIGIT = /[A-Za-z0-9]/;
/** C0 controls and DEL, except tab and newline, which free text may hold. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\x00-\x08\x0b-\x1f\x7f]/;
/** What TextDecoder puts where the bytes were not UTF-8. */
const REPLACEMENT_CHARACTER = '\ufffd';

export interface RowContext {
  file: string;
  header: ManifestHeader;
  defaults: ManifestDefaults;
  /** Used when neither the row nor the defaults name a campaign. */
  fallbackCampaign: string;
  seenIds: SeenIds;
}

/** Checks one data record; returns the item when the row has no error, and every issue found. */
export function checkRow(record: CsvRecord, context: RowContext): { item?: ManifestItem; issues: ManifestIssue[] } {
  const { header, defaults } = context;
  const issues: ManifestIssue[] = [];
  const report = (index: number, code: string, message: string, hint: string, severity: 'error' | 'warning' = 'error'): void => {
    issues.push({ file: context.file, ...fieldPosition(record, index), severity, code, message, hint });
  };
  const cell = (column: keyof ManifestHeader['columns']): string => {
    const index = header.columns[column];
    return index === undefined ? '' : (record.fields[index] ?? '').trim();
  };
  const at = (column: keyof ManifestHeader['columns']): number => header.columns[column] ?? 0;

  if (record.fields.length !== header.width) {
    report(
      Math.min(record.fields.length, header.width),
      'ragged-row',
      `the row has ${record.fields.length} fields; the header has ${header.width}`,
      'quote fields that contain commas ("a, b") and give every row one field per column',
    );
  }
  record.fields.forEach((field, index) => {
    const control = CONTROL_CHARACTER.exec(field);
    if (control)
      report(
        index,
        'control-character',
        `the field contains control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
        'remove it (only tabs and line breaks are allowed, in free text)',
      );
    if (field.includes(REPLACEMENT_CHARACTER)) report(index, 'invalid-utf8', 'the field is not valid UTF-8', 'save the manifest as UTF-8 (in Excel: "CSV UTF-8")');
  });

  const id = cell('id');
  if (id === '') report(at('id'), 'missing-id', 'the id is empty', 'give every row a unique id of letters, digits, ".", "_" or "-"');
  else if (id.length > 128) report(at('id'), 'invalid-id', `the id is ${id.length} characters long; at most 128 are allowed`, 'shorten the id');
  else if (!ID_PATTERN.test(id)) {
    const bad = [...id].find((char) => !/[A-Za-z0-9._-]/.test(char)) ?? '';
    report(at('id'), 'invalid-id', `the id '${id}' contains '${bad}'`, 'use only letters, digits, ".", "_" and "-"');
  } else {
    const firstLine = context.seenIds.add(id, record.line);
    if (firstLine !== undefined) report(at('id'), 'duplicate-id', `the id '${id}' is already used on line ${firstLine}`, 'give each row its own id');
  }

  const message = header.columns.message === undefined ? '' : (record.fields[header.columns.message] ?? '');
  if (message.trim() === '') report(at('message'), 'missing-message', 'the message is empty', 'write the source message to render');

  let locales: LocaleCode[] = [];
  const localesCell = cell('locales');
  if (localesCell === '') {
    if (defaults.locales) locales = defaults.locales;
    else report(at('locales'), 'missing-locales', 'no target locales', `list them, e.g. "ja;ko", or pass --locales; accepted: ${describeAcceptedLocales()}`);
  } else {
    const parsed = parseLocaleList(localesCell);
    locales = parsed.locales;
    for (const tag of parsed.unknown) report(at('locales'), 'unknown-locale', `unknown locale '${tag}'`, `use ${describeAcceptedLocales()}`);
  }

  const texts: Partial<Record<LocaleCode, string>> = {};
  for (const { locale, index } of header.texts) {
    const text = record.fields[index] ?? '';
    if (text.trim() === '') continue;
    if (!locales.includes(locale))
      report(index, 'text-for-unrequested-locale', `text:${locale} is given but the row does not ask for ${locale}`, `add ${locale} to the row's locales or clear this cell`);
    else texts[locale] = text.trim();
  }

  // The row's models (model cell, else --models): their own rules are checked below (check-models.ts).
  const named = rowModels(cell('model'), defaults);
  for (const problem of named.problems) report(at(problem.column), problem.code, problem.message, problem.hint, problem.severity);

  const sizeCell = cell('size');
  const size = resolveSize(sizeCell || defaults.size);
  if (!size.ok) report(at('size'), 'invalid-size', size.message, size.hint);
  // A normalised --size is reported once, where the flag is read (manifestDefaults), not on every row.
  else if (size.derivation.kind === 'normalised' && sizeCell !== '' && usesAzureOpenAi(named.models, defaults)) {
    const warning = normalisedSizeWarning({ requested: size.requested, size: size.size, problem: size.derivation.problem });
    report(at('size'), 'size-normalised', warning.message, warning.hint, 'warning');
  } else if (size.derivation.kind === 'exact' && sizeCell !== '' && usesAzureOpenAi(named.models, defaults)) {
    const experimental = experimentalEdgeWarning(size.width!, size.height!);
    if (experimental) report(at('size'), 'size-experimental', experimental.message, experimental.hint, 'warning');
  }

  const qualityCell = cell('quality').toLowerCase();
  const quality = (qualityCell || defaults.quality) as ImageQuality;
  if (!IMAGE_QUALITIES.includes(quality)) report(at('quality'), 'invalid-quality', `quality '${cell('quality')}' is not one of ${IMAGE_QUALITIES.join(', ')}`, `use ${IMAGE_QUALITIES.join(', ')}`);

  const formatCell = cell('format').toLowerCase();
  const format = (formatCell === 'jpg' ? 'jpeg' : formatCell || defaults.format) as ImageFormat;
  if (!IMAGE_FORMATS.includes(format)) report(at('format'), 'invalid-format', `format '${cell('format')}' is not one of ${IMAGE_FORMATS.join(', ')}`, `use ${IMAGE_FORMATS.join(', ')}`);
  const formatValid = IMAGE_FORMATS.includes(format);

  // The rules of OpenAI's Images API reference: output_compression for jpeg and webp only, a
  // transparent background only for formats with an alpha channel. A cell breaking them is an error
  // (the row asked for something it cannot get); a flag default simply does not apply to png rows.
  const compressionCell = cell('compression');
  let compression: number | undefined;
  if (compressionCell !== '') {
    compression = /^\d{1,3}$/.test(compressionCell) ? Number(compressionCell) : NaN;
    if (!(compression >= MIN_COMPRESSION && compression <= MAX_COMPRESSION)) {
      report(
        at('compression'),
        'invalid-compression',
        `compression '${compressionCell}' is not a whole number from ${MIN_COMPRESSION} to ${MAX_COMPRESSION}`,
        `give output_compression, ${MIN_COMPRESSION} to ${MAX_COMPRESSION}, for a jpeg or webp row`,
      );
    } else if (formatValid && !COMPRESSIBLE_FORMATS.includes(format)) {
      report(
        at('compression'),
        'compression-for-png',
        `compression applies to ${COMPRESSIBLE_FORMATS.join(' and ')} only; this row's format is ${format}`,
        `clear the compression cell, or set the row's format to ${COMPRESSIBLE_FORMATS.join(' or ')}`,
      );
    }
  } else if (defaults.compression !== undefined && COMPRESSIBLE_FORMATS.includes(format)) {
    compression = defaults.compression;
  }

  const backgroundCell = cell('background').toLowerCase();
  const background = (backgroundCell || defaults.background) as ImageBackground | undefined;
  if (backgroundCell !== '' && !IMAGE_BACKGROUNDS.includes(background as ImageBackground)) {
    report(at('background'), 'invalid-background', `background '${cell('background')}' is not one of ${IMAGE_BACKGROUNDS.join(', ')}`, `use ${IMAGE_BACKGROUNDS.join(', ')}`);
  } else if (formatValid) {
    const problem = backgroundProblem(background, format);
    if (problem && backgroundCell !== '') report(at('background'), 'background-needs-alpha', problem, "set the row's format to png or webp, or its background to opaque or auto");
    else if (problem)
      report(at('format'), 'background-needs-alpha', `${problem} (the background is transparent from --background)`, 'use png or webp for this row, or give it a background cell of opaque or auto');
  }

  const moderationCell = cell('moderation').toLowerCase();
  const moderation = (moderationCell || defaults.moderation) as ImageModeration | undefined;
  if (moderationCell !== '' && !IMAGE_MODERATIONS.includes(moderation as ImageModeration)) {
    report(
      at('moderation'),
      'invalid-moderation',
      `moderation '${cell('moderation')}' is not one of ${IMAGE_MODERATIONS.join(', ')}`,
      `use ${IMAGE_MODERATIONS.join(' (less restrictive filtering) or ')} (the default)`,
    );
  }

  const variantsCell = cell('variants');
  const variants = variantsCell === '' ? defaults.variants : /^\d{1,3}$/.test(variantsCell) ? Number(variantsCell) : NaN;
  if (!(variants >= MIN_VARIANTS && variants <= MAX_VARIANTS))
    report(
      at('variants'),
      'invalid-variants',
      `variants '${variantsCell}' is not a whole number from ${MIN_VARIANTS} to ${MAX_VARIANTS}`,
      `give the number of images per locale, ${MIN_VARIANTS} to ${MAX_VARIANTS}`,
    );

  const campaignCell = cell('campaign');
  const campaign = campaignCell || defaults.campaign || context.fallbackCampaign;
  if (!CAMPAIGN_PATTERN.test(campaign))
    report(at('campaign'), 'invalid-campaign', `the campaign '${campaign}' is not 1-64 letters, digits, ".", "_" or "-"`, 'rename the campaign (it becomes the first part of every blob name)');
  else if (!HAS_LETTER_OR_DIGIT.test(campaign)) {
    // Its blob-name segment would be empty once the leading ".", "_" and "-" are dropped (blob-name.ts).
    const from = campaignCell ? '' : defaults.campaign ? ' (from --campaign)' : " (from the manifest's file name)";
    const hint = campaignCell
      ? 'give the campaign at least one letter or digit'
      : defaults.campaign
        ? 'pass a --campaign with at least one letter or digit'
        : 'add a campaign column, pass --campaign <name>, or rename the file';
    report(at('campaign'), 'invalid-campaign', `the campaign '${campaign}'${from} has no letter or digit, so it cannot name the images' blob folder`, hint);
  }

  const direction = cell('prompt');
  // Only a long row can exceed the model's prompt limit; build the prompts just for those.
  if (message.length + direction.length + Object.values(texts).reduce((sum, text) => sum + text.length, 0) > MAX_PROMPT_CHARS - 2_000) {
    for (const locale of locales) {
      const length = buildPrompt({ message, locale, text: texts[locale], direction }).length;
      if (length > MAX_PROMPT_CHARS)
        report(at('message'), 'prompt-too-long', `the ${locale} prompt would be ${length} characters; the model accepts ${MAX_PROMPT_CHARS}`, 'shorten the message, its text or the prompt column');
    }
  }

  const sourceCell = cell('source_image');
  const source = sourceCell === '' ? undefined : parseSourceRef(sourceCell, context.file);
  if (typeof source === 'string')
    report(at('source_image'), 'invalid-source-image', `the source image ${source}`, 'give a local path (relative to the manifest), an https URL or a blob URL of a png or jpeg master');
  else if (source?.kind === 'file') {
    // A local master is checked here (size and first bytes); a URL is checked when enqueue fetches it.
    const problem = masterFileProblem(source.path);
    if (problem) report(at('source_image'), 'invalid-source-image', `the source image ${source.path} ${problem}`, MASTER_HINT);
  }

  if (size.ok && IMAGE_FORMATS.includes(format)) {
    const setCells = { compression: compressionCell !== '', background: backgroundCell !== '', moderation: moderationCell !== '', source_image: sourceCell !== '' };
    for (const problem of modelRowProblems({ models: named.models, sizeCell, requestedSize: size.requested, formatCell, format, setCells }, defaults)) {
      report(at(problem.column), problem.code, problem.message, problem.hint, problem.severity);
    }
  }

  if (issues.some((issue) => issue.severity === 'error') || !size.ok) return { issues };
  const item: ManifestItem = {
    line: record.line,
    id,
    message,
    locales,
    texts,
    prompt: direction,
    size: size.size,
    requestedSize: size.requested,
    quality,
    format,
    variants,
    campaign,
    ...(source && typeof source !== 'string' ? { sourceImage: source } : {}),
  };
  // Unset parameters stay absent: they are not sent and not part of the image's identity.
  if (compression !== undefined) item.compression = compression;
  if (background !== undefined) item.background = background;
  if (moderation !== undefined) item.moderation = moderation;
  if (named.models) item.models = named.models;
  return { item, issues };
}
