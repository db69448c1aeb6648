import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InputError } from '../errors/polyglyph-error.js';
import { checkRow, CAMPAIGN_PATTERN } from './check-row.js';
import { readCsvRecords, fieldPosition } from './csv-records.js';
import { readHeader, type ManifestHeader } from './manifest-header.js';
import type { ManifestIssue } from './manifest-issue.js';
import type { ManifestItem } from './manifest-item.js';
import type { ManifestDefaults } from './manifest-options.js';
import { SeenIds } from './seen-ids.js';
import { detectUtf16 } from './detect-utf16.js';

export type ManifestEvent =
  | { type: 'item'; item: ManifestItem }
  /** A data row with at least one error (its issues were yielded before it). */
  | { type: 'rejected-row'; line: number }
  | { type: 'issue'; issue: ManifestIssue };

/**
 * Streams a manifest: every valid row as an item, every problem as an issue with its line and
 * column. Memory stays flat whatever the file's size (ids are remembered as 8-byte hashes).
 * Throws only when the file cannot be opened at all.
 */
export async function* readManifest(path: string, defaults: ManifestDefaults): AsyncGenerator<ManifestEvent> {
  await assertReadable(path);
  const file = path;
  const utf16 = await detectUtf16(path);
  if (utf16) {
    yield {
      type: 'issue',
      issue: {
        file,
        line: 1,
        column: 1,
        severity: 'error',
        code: 'utf16-encoding',
        message: `the manifest is ${utf16.encoding} text${utf16.bom ? ' (it starts with a UTF-16 byte order mark)' : ''}, not UTF-8; read as UTF-8 its column names would be garbled`,
        hint: 'save it as UTF-8: in Excel, "Save As" > "CSV UTF-8 (Comma delimited)"; in Notepad, "Save As" with Encoding "UTF-8"; or run `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`',
      },
    };
    return;
  }
  const seenIds = new SeenIds();
  const fallbackCampaign = campaignFromFileName(path);
  let header: ManifestHeader | undefined;
  let headerUsable = true;
  let dataRows = 0;

  for await (const record of readCsvRecords(path)) {
    if ('syntaxError' in record) {
      yield {
        type: 'issue',
        issue: {
          file,
          line: record.line,
          column: 1,
          severity: 'error',
          code: 'csv-syntax',
          message: record.message,
          hint: 'close the quote (a quote inside a quoted field is written "") and check the lines above',
        },
      };
      return;
    }
    if (header === undefined) {
      const read = readHeader(record.fields, defaults.locales !== undefined);
      header = read.header;
      for (const problem of read.problems) {
        yield { type: 'issue', issue: { file, ...fieldPosition(record, problem.index), severity: problem.severity, code: problem.code, message: problem.message, hint: problem.hint } };
        if (problem.severity === 'error' && problem.code === 'missing-column') headerUsable = false;
      }
      continue;
    }
    // A line of only spaces or commas is a blank row, not data.
    if (record.fields.every((field) => field.trim() === '')) continue;
    dataRows++;
    if (!headerUsable) {
      yield { type: 'rejected-row', line: record.line };
      continue;
    }
    const { item, issues } = checkRow(record, { file, header, defaults, fallbackCampaign, seenIds });
    for (const issue of issues) yield { type: 'issue', issue };
    if (item) yield { type: 'item', item };
    else yield { type: 'rejected-row', line: record.line };
  }
  if (header === undefined) {
    yield {
      type: 'issue',
      issue: { file, line: 1, column: 1, severity: 'error', code: 'empty-manifest', message: 'the manifest is empty', hint: 'start with a header row such as id,message,locales' },
    };
  }
  // A header and nothing under it: said as such, before any step asks what the rows would cost.
  else if (dataRows === 0) {
    yield {
      type: 'issue',
      issue: {
        file,
        line: 2,
        column: 1,
        severity: 'error',
        code: 'no-rows',
        message: 'the manifest has a header but no rows: there is nothing to make',
        hint: 'add one row per message under the header, e.g. `welcome,Welcome back,ja;ko` (samples/spring-campaign.csv is a manifest to copy)',
      },
    };
  }
}

async function assertReadable(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(`${path} is not a file`, { hint: 'give the path of a CSV manifest' });
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read manifest ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code)}`, {
      hint: 'check the path (it is relative to the current directory)',
    });
  }
}

/** `Spring Campaign (v2).csv` -> `spring-campaign-v2`: the file name as a valid campaign. */
export function campaignFromFileName(path: string): string {
  const name = basename(path, extname(path))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64);
  return CAMPAIGN_PATTERN.test(name) ? name : 'manifest';
}
