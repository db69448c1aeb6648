import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { publicBlobUrl } from '../storage/public-blob-url.js';
import { csvHeader, csvLine } from './report-csv.js';
import type { ReportRow } from './report-row.js';
import type { RunRecord, RunStore } from './run-store.js';

export type ReportFormat = 'json' | 'csv';

export interface WrittenReport {
  jsonPath: string;
  csvPath: string;
  rows: number;
}

/** The run as the report's JSON header describes it. */
export function reportHeader(run: RunRecord): Record<string, unknown> {
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    runId: run.id,
    manifest: run.manifest,
    manifestSha256: run.manifestSha256,
    origin: run.origin,
    model: run.model,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    cancelledAt: iso(run.cancelledAt),
    counts: {
      items: run.total,
      settled: run.settled,
      imagesPlanned: run.imagesPlanned,
      imagesCreated: run.imagesCreated,
      imagesExisting: run.imagesExisting,
      itemsFailed: run.itemsFailed,
      itemsCancelled: run.itemsCancelled,
    },
    locales: run.locales,
    tokens: run.tokens,
  };
}

export interface StreamReportOptions {
  /**
   * The URL a row shows for its blob: `report --signed-urls` passes a signer. Default: the stored
   * URL without any query, so a SAS kept in Redis by an older version never reaches a report.
   */
  urlFor?: (row: ReportRow) => string;
}

/**
 * Streams the report of a run to `out` in one format, rows read from Redis page by page, so a run
 * of any size is never held in memory. Returns the number of rows.
 */
export async function streamReport(runStore: RunStore, run: RunRecord, format: ReportFormat, out: NodeJS.WritableStream, options: StreamReportOptions = {}): Promise<number> {
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const urlFor = options.urlFor ?? ((row: ReportRow) => publicBlobUrl(row.url));
  const rowsOf = async function* (): AsyncGenerator<ReportRow> {
    for await (const row of runStore.rows(run.id)) yield { ...row, url: urlFor(row) };
  };
  let rows = 0;
  if (format === 'csv') {
    await write(csvHeader());
    for await (const row of rowsOf()) {
      await write(csvLine(row));
      rows += 1;
    }
    return rows;
  }
  // --regenerate-on-mismatch: which flagged image got which new variant, and which were refused (why).
  const regenerations = (await runStore.regenerations(run.id)).map(({ released: _released, ...state }) => state);
  await write(`${JSON.stringify({ ...reportHeader(run), ...(regenerations.length > 0 ? { regenerations } : {}) }, null, 2).replace(/\n}$/, ',\n  "rows": [')}`);
  for await (const row of rowsOf()) {
    await write(`${rows === 0 ? '' : ','}\n    ${JSON.stringify(row)}`);
    rows += 1;
  }
  await write(`${rows === 0 ? '' : '\n  '}]\n}\n`);
  return rows;
}

/** Writes `<dir>/<run>.json` and `<dir>/<run>.csv`. */
export async function writeReport(runStore: RunStore, run: RunRecord, dir: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, `${run.id}.json`), csv: join(dir, `${run.id}.csv`) };
  let rows = 0;
  for (const format of ['json', 'csv'] as const) {
    const file = createWriteStream(paths[format], 'utf8');
    rows = await streamReport(runStore, run, format, file);
    file.end();
    await once(file, 'finish');
  }
  return { jsonPath: paths.json, csvPath: paths.csv, rows };
}
