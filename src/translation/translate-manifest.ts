import { writeFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { ManifestInvalidError } from '../queue/enqueue-manifest.js';
import type { LocaleCode } from '../locales/registry.js';
import { readCsvRecords } from '../manifest/csv-records.js';
import { readHeader } from '../manifest/manifest-header.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { readManifest } from '../manifest/read-manifest.js';
import { validateManifest } from '../manifest/validate-manifest.js';
import type { ChatUsage } from './chat-client.js';
import type { Translation, Translator } from './translator.js';

/** A filled cell the reviewer should look at. */
export interface TranslationFlag {
  line: number;
  /** 1-based column of the `text:<locale>` cell in the written manifest. */
  column: number;
  id: string;
  locale: LocaleCode;
  reason: 'too_long' | 'glossary';
  message: string;
}

export interface ManifestTranslations {
  /** `id \0 locale` -> translated text, for the cells the manifest left empty. */
  texts: Map<string, Translation & { line: number; id: string; locale: LocaleCode }>;
  /** Cells filled; from the cache; chat requests made. */
  filled: number;
  cached: number;
  requests: number;
  usage: ChatUsage;
  flags: TranslationFlag[];
}

export const translationItemKey = (id: string, locale: string): string => `${id}\u0000${locale}`;

export interface TranslateManifestOptions {
  manifestPath: string;
  defaults: ManifestDefaults;
  translator: Translator;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Called after each cell with how many of `total` are done. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Fills every empty `text:<locale>` cell of a valid manifest (for each locale its row asks for) with
 * the translator. Supplied cells are never touched. A manifest with errors translates nothing.
 */
export async function translateManifest(options: TranslateManifestOptions): Promise<ManifestTranslations> {
  const summary = await validateManifest(options.manifestPath, options.defaults);
  if (summary.errors > 0) throw new ManifestInvalidError(summary);
  const wanted: Array<{ line: number; id: string; message: string; locale: LocaleCode }> = [];
  for await (const event of readManifest(options.manifestPath, options.defaults)) {
    if (event.type !== 'item') continue;
    for (const locale of event.item.locales) {
      if (event.item.texts[locale] === undefined) wanted.push({ line: event.item.line, id: event.item.id, message: event.item.message, locale });
    }
  }
  const result: ManifestTranslations = { texts: new Map(), filled: 0, cached: 0, requests: 0, usage: { promptTokens: 0, completionTokens: 0 }, flags: [] };
  const limit = pLimit(options.concurrency ?? 4);
  let done = 0;
  await Promise.all(
    wanted.map((cell) =>
      limit(async () => {
        const translation = await options.translator.translate(cell.message, cell.locale);
        result.texts.set(translationItemKey(cell.id, cell.locale), { ...translation, line: cell.line, id: cell.id, locale: cell.locale });
        result.filled += 1;
        if (translation.cached) result.cached += 1;
        else result.requests += 1;
        if (translation.usage) {
          result.usage.promptTokens += translation.usage.promptTokens;
          result.usage.completionTokens += translation.usage.completionTokens;
        }
        done += 1;
        options.onProgress?.(done, wanted.length);
      }),
    ),
  );
  const columns = await textColumns(options.manifestPath, [...new Set(wanted.map((cell) => cell.locale))]);
  for (const entry of [...result.texts.values()].sort((a, b) => a.line - b.line)) {
    const column = columns.get(entry.locale)! + 1;
    if (entry.tooLong)
      result.flags.push({
        line: entry.line,
        column,
        id: entry.id,
        locale: entry.locale,
        reason: 'too_long',
        message: `the ${entry.locale} text of '${entry.id}' is longer than the limit (POLYGLYPH_MAX_TEXT_CHARS): shorten it`,
      });
    if (entry.missingTerms.length > 0)
      result.flags.push({
        line: entry.line,
        column,
        id: entry.id,
        locale: entry.locale,
        reason: 'glossary',
        message: `the ${entry.locale} text of '${entry.id}' lacks glossary term(s) ${entry.missingTerms.map((term) => `'${term}'`).join(', ')}: check it`,
      });
  }
  return result;
}

/** Where each locale's text column is, or will be once appended, in the written manifest (0-based). */
async function textColumns(path: string, locales: LocaleCode[]): Promise<Map<LocaleCode, number>> {
  for await (const record of readCsvRecords(path)) {
    if ('syntaxError' in record) break;
    const { header } = readHeader(record.fields, true);
    const columns = new Map(header.texts.map((text) => [text.locale, text.index]));
    let next = record.fields.length;
    for (const locale of locales) if (!columns.has(locale)) columns.set(locale, next++);
    return columns;
  }
  return new Map();
}

/**
 * Writes the manifest with the translations in its `text:<locale>` cells (columns appended where the
 * manifest had none), every other cell as it was: RFC 4180, CRLF, a reviewer can edit it and give it
 * to `run`. Cells are matched by line, so the file must be the one that was translated.
 */
export async function writeTranslatedManifest(sourcePath: string, outPath: string, translations: ManifestTranslations): Promise<void> {
  const byLine = new Map<number, Array<{ locale: LocaleCode; text: string }>>();
  for (const entry of translations.texts.values()) (byLine.get(entry.line) ?? byLine.set(entry.line, []).get(entry.line)!).push({ locale: entry.locale, text: entry.text });
  const lines: string[] = [];
  let columns: Map<LocaleCode, number> | undefined;
  let width = 0;
  for await (const record of readCsvRecords(sourcePath)) {
    if ('syntaxError' in record) throw new Error(`${sourcePath}:${record.line}: ${record.message}`);
    if (columns === undefined) {
      const { header } = readHeader(record.fields, true);
      columns = new Map(header.texts.map((text) => [text.locale, text.index]));
      const fields = [...record.fields];
      for (const entry of translations.texts.values()) {
        if (!columns.has(entry.locale)) {
          columns.set(entry.locale, fields.length);
          fields.push(`text:${entry.locale}`);
        }
      }
      width = fields.length;
      lines.push(fields.map(rfc4180Cell).join(','));
      continue;
    }
    const fields = [...record.fields];
    if (fields.every((field) => field.trim() === '')) continue;
    while (fields.length < width) fields.push('');
    for (const cell of byLine.get(record.line) ?? []) {
      const index = columns.get(cell.locale)!;
      if ((fields[index] ?? '').trim() === '') fields[index] = cell.text;
    }
    lines.push(fields.map(rfc4180Cell).join(','));
  }
  await writeFile(outPath, `${lines.join('\r\n')}\r\n`, 'utf8');
}

/** Quoted only when it must be (RFC 4180): a manifest cell is kept exactly as the reviewer wrote it. */
function rfc4180Cell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
