import { resolveLocale, type LocaleCode } from '../locales/registry.js';

/** The columns Polyglyph reads, besides `text:<locale>`. */
export const KNOWN_COLUMNS = ['id', 'message', 'locales', 'prompt', 'size', 'quality', 'format', 'compression', 'background', 'moderation', 'variants', 'campaign', 'source_image', 'model'] as const;
export type KnownColumn = (typeof KNOWN_COLUMNS)[number];

/** Where each column is in a record, from the header row. Names are case-insensitive. */
export interface ManifestHeader {
  width: number;
  columns: Partial<Record<KnownColumn, number>>;
  /** `text:<locale>` columns, by canonical locale. */
  texts: Array<{ locale: LocaleCode; index: number }>;
}

export interface HeaderProblem {
  index: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
  hint: string;
}

export function readHeader(fields: string[], hasDefaultLocales: boolean): { header: ManifestHeader; problems: HeaderProblem[] } {
  const header: ManifestHeader = { width: fields.length, columns: {}, texts: [] };
  const problems: HeaderProblem[] = [];
  const seen = new Map<string, number>();
  // Ignored columns are reported once each kind, however many there are: a header of 50,000 stray
  // columns is one problem to fix, not 50,000 lines to read.
  const unnamed: number[] = [];
  const unknown: number[] = [];
  fields.forEach((field, index) => {
    const name = field.trim().toLowerCase();
    if (name === '') {
      unnamed.push(index);
      return;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      problems.push({ index, severity: 'error', code: 'duplicate-column', message: `column '${field.trim()}' appears twice (also column ${first + 1})`, hint: 'keep one of the two columns' });
      return;
    }
    seen.set(name, index);
    if (name.startsWith('text:')) {
      const tag = field.trim().slice('text:'.length);
      const locale = resolveLocale(tag);
      if (locale === undefined) {
        problems.push({
          index,
          severity: 'error',
          code: 'unknown-locale',
          message: `column '${field.trim()}' names unknown locale '${tag}'`,
          hint: 'name one of ja, ko, hi, bn, zh-Hans, zh-Hant (or a region form such as ja-JP), e.g. text:ja',
        });
      } else if (header.texts.some((text) => text.locale === locale)) {
        problems.push({ index, severity: 'error', code: 'duplicate-column', message: `column '${field.trim()}' is a second text column for ${locale}`, hint: 'keep one text column per locale' });
      } else {
        header.texts.push({ locale, index });
      }
      return;
    }
    if ((KNOWN_COLUMNS as readonly string[]).includes(name)) {
      header.columns[name as KnownColumn] = index;
      return;
    }
    unknown.push(index);
  });
  if (unnamed.length === 1) {
    problems.push({ index: unnamed[0]!, severity: 'warning', code: 'unnamed-column', message: `column ${unnamed[0]! + 1} has no name; its cells are ignored`, hint: 'name the column or remove it' });
  } else if (unnamed.length > 1) {
    problems.push({
      index: unnamed[0]!,
      severity: 'warning',
      code: 'unnamed-column',
      message: `${unnamed.length} columns have no name (columns ${listSome(unnamed.map((index) => String(index + 1)))}); their cells are ignored`,
      hint: 'name the columns or remove them',
    });
  }
  const hint = `the columns are ${KNOWN_COLUMNS.join(', ')} and text:<locale>; check the spelling`;
  if (unknown.length === 1) {
    problems.push({ index: unknown[0]!, severity: 'warning', code: 'unknown-column', message: `unknown column '${fields[unknown[0]!]!.trim()}' is ignored`, hint });
  } else if (unknown.length > 1) {
    problems.push({
      index: unknown[0]!,
      severity: 'warning',
      code: 'unknown-column',
      message: `${unknown.length} unknown columns are ignored: ${listSome(unknown.map((index) => `'${fields[index]!.trim()}'`))}`,
      hint,
    });
  }
  for (const required of ['id', 'message'] as const) {
    if (header.columns[required] === undefined) {
      problems.push({
        index: 0,
        severity: 'error',
        code: 'missing-column',
        message: `the header has no '${required}' column`,
        hint: `add a '${required}' column (the header row is: ${shorten(fields.join(','))})`,
      });
    }
  }
  if (header.columns.locales === undefined && !hasDefaultLocales) {
    problems.push({
      index: 0,
      severity: 'error',
      code: 'missing-column',
      message: "the header has no 'locales' column and no default locales were given",
      hint: "add a 'locales' column or pass --locales (POLYGLYPH_LOCALES)",
    });
  }
  return { header, problems };
}

/** At most a few items of a long list, then how many more. */
function listSome(items: string[], shown = 5): string {
  return items.length <= shown ? items.join(', ') : `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}

/** A header row short enough to quote in a hint. */
function shorten(text: string, maxChars = 200): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}... (${text.length} characters)`;
}
