import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { csvHeader, csvLine } from './report-csv.js';
import type { RunRecord, RunStore } from './run-store.js';

export interface WrittenReport {
  jsonPath: string;
  csvPath: string;
  rows: number;
}

/**
 * Writes `<dir>/<run>.json` and `<dir>/<run>.csv`, streaming rows from Redis so a run of any size is
 * never held in memory.
 */
export async function writeReport(runStore: RunStore, run: RunRecord, dir: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const jsonPath = join(dir, `${run.id}.json`);
  const csvPath = join(dir, `${run.id}.csv`);
  const json = createWriteStream(jsonPath, 'utf8');
  const csv = createWriteStream(csvPath, 'utf8');
  const { id, manifest, manifestSha256, startedAt, finishedAt, total, settled, imagesCreated, imagesExisting, itemsFailed } = run;
  const header = {
    runId: id, manifest, manifestSha256,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: finishedAt === undefined ? null : new Date(finishedAt).toISOString(),
    counts: { items: total, settled, imagesCreated, imagesExisting, itemsFailed },
  };
  await write(json, `${JSON.stringify(header, null, 2).replace(/\n}$/, ',\n  "rows": [')}`);
  await write(csv, csvHeader());
  let rows = 0;
  for await (const row of runStore.rows(run.id)) {
    await write(json, `${rows === 0 ? '' : ','}\n    ${JSON.stringify(row)}`);
    await write(csv, csvLine(row));
    rows += 1;
  }
  await write(json, `${rows === 0 ? '' : '\n  '}]\n}\n`);
  await Promise.all([end(json), end(csv)]);
  return { jsonPath, csvPath, rows };
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function end(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}
