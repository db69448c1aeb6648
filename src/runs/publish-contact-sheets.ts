import type { Logger } from 'pino';
import { plural } from '../text/plural.js';
import { LOCALE_CODES, type LocaleCode } from '../locales/registry.js';
import type { BlobStore } from '../storage/blob-store.js';
import { renderContactSheet, type ContactSheetEntry } from './contact-sheet.js';
import type { ReportRow } from './report-row.js';
import type { RunStore } from './run-store.js';

/** Images per contact sheet; a larger locale's sheet says how many more there are. */
export const MAX_SHEET_IMAGES = 120;

/** Where a run's contact sheet of one locale goes, beside the report. */
export function contactSheetBlobName(runId: string, locale: string): string {
  return `reports/${runId}/${locale}.png`;
}

/**
 * Writes one contact sheet per locale of a finished run (reports/<run>/<locale>.png), for people who
 * never open the dashboard. Reads the report rows once; downloads each image once to thumbnail it.
 * Returns the sheets' blob names. A sheet that fails is logged and skipped: the report matters more.
 */
export async function publishContactSheets(runStore: RunStore, blobStore: BlobStore, runId: string, logger?: Pick<Logger, 'warn'>): Promise<string[]> {
  const byLocale = new Map<LocaleCode, ReportRow[]>();
  const extra = new Map<LocaleCode, number>();
  for await (const row of runStore.rows(runId)) {
    if (!row.blobName || (row.status !== 'created' && row.status !== 'exists')) continue;
    const locale = row.locale as LocaleCode;
    const list = byLocale.get(locale) ?? [];
    if (list.length < MAX_SHEET_IMAGES) list.push(row);
    else extra.set(locale, (extra.get(locale) ?? 0) + 1);
    byLocale.set(locale, list);
  }
  const written: string[] = [];
  for (const locale of LOCALE_CODES.filter((code) => byLocale.has(code))) {
    const rows = byLocale.get(locale)!.sort((a, b) => a.id.localeCompare(b.id) || Number(a.variant) - Number(b.variant));
    try {
      const entries: ContactSheetEntry[] = [];
      for (const row of rows) {
        entries.push({
          image: await blobStore.download(row.blobName),
          id: row.id,
          variant: row.variant,
          expectedText: row.text ?? '',
          readText: row.readText,
          textStatus: row.textStatus,
          textCer: row.textCer,
        });
      }
      const more = extra.get(locale);
      const sheet = await renderContactSheet(`run ${runId} · ${locale} · ${plural(rows.length, 'image')}${more ? ` (and ${more} more, see the report)` : ''}`, locale, entries);
      const name = contactSheetBlobName(runId, locale);
      await blobStore.replace(name, sheet, 'image/png');
      written.push(name);
    } catch (error) {
      logger?.warn({ err: error, runId, locale }, 'could not write a contact sheet');
    }
  }
  return written;
}
