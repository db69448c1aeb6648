import { REPORT_COLUMNS, type ReportRow } from './report-row.js';

/**
 * RFC 4180 CSV. Cells a spreadsheet would run as a formula (starting with = + - @, tab or CR) are
 * prefixed with a quote, the OWASP advice against CSV injection: manifests come from many hands.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${REPORT_COLUMNS.join(',')}\r\n`;
}

export function csvLine(row: ReportRow): string {
  return `${REPORT_COLUMNS.map((column) => csvCell(row[column])).join(',')}\r\n`;
}
