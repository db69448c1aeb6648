import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { RestError } from '@azure/storage-blob';
import pLimit from 'p-limit';
import { assertValidBlobName, sidecarBlobName } from '../storage/blob-name.js';
import type { BlobStore } from '../storage/blob-store.js';
import { contactSheetBlobName } from './publish-contact-sheets.js';
import type { ReportRow } from './report-row.js';
import type { RunStore } from './run-store.js';

/** Row statuses (`status`) and text-check statuses (`textStatus`) that `--status` accepts. */
export const PULL_STATUSES = ['created', 'exists', 'failed', 'cancelled', 'ok', 'needs_review', 'unverified', 'error'] as const;

/** Files downloaded at once: enough to hide a blob round trip, few enough for a laptop's uplink. */
export const PULL_CONCURRENCY = 8;

export interface PullSelection {
  /** Locales to keep (compared case-insensitively); empty or absent: every locale. */
  locales?: readonly string[] | undefined;
  /** A row is kept when its `status` or its `textStatus` is one of these; empty or absent: every row. */
  statuses?: readonly string[] | undefined;
}

/** Whether a report row is selected by `--locale` and `--status`. */
export function rowSelected(row: ReportRow, selection: PullSelection): boolean {
  if (selection.locales?.length && !selection.locales.some((locale) => locale.toLowerCase() === row.locale.toLowerCase())) return false;
  if (selection.statuses?.length && !selection.statuses.some((status) => status === row.status || status === row.textStatus)) return false;
  return true;
}

/** One file to bring home: a blob and where it goes under the output folder. */
export interface PullFile {
  blobName: string;
  path: string;
  kind: 'image' | 'sidecar' | 'contact-sheet';
}

/**
 * Where a blob goes under `outDir`: the blob name as a relative path. Blob names are `[a-z0-9/._-]`
 * with no empty or dot-ending segment (assertValidBlobName), which already rules out `..`; the
 * resolved path is checked to be inside `outDir` anyway, since run records come from many hands.
 */
export function localPath(outDir: string, blobName: string): string {
  assertValidBlobName(blobName);
  const root = resolve(outDir);
  const path = resolve(root, ...blobName.split('/'));
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) throw new RangeError(`blob name '${blobName}' would be written outside ${root}`);
  return path;
}

/** Contact sheets go to `<out>/contact-sheets/<run>/<locale>.png`: they are per run, and a run can span campaigns. */
export function contactSheetPath(outDir: string, runId: string, locale: string): string {
  return localPath(outDir, `contact-sheets/${runId}/${locale.toLowerCase()}.png`);
}

export interface PullPlan {
  files: PullFile[];
  /** Rows selected. */
  rows: number;
  /** Selected rows without an image (failed or cancelled items). */
  rowsWithoutImage: number;
}

/** The files of the selected rows: each image and its sidecar, then the contact sheet of each selected locale. */
export async function planPull(runStore: RunStore, runId: string, outDir: string, selection: PullSelection): Promise<PullPlan> {
  const files: PullFile[] = [];
  const locales = new Set<string>();
  let rows = 0;
  let rowsWithoutImage = 0;
  for await (const row of runStore.rows(runId)) {
    if (!rowSelected(row, selection)) continue;
    rows += 1;
    if (!row.blobName) {
      rowsWithoutImage += 1;
      continue;
    }
    locales.add(row.locale);
    files.push({ blobName: row.blobName, path: localPath(outDir, row.blobName), kind: 'image' });
    const sidecar = sidecarBlobName(row.blobName);
    files.push({ blobName: sidecar, path: localPath(outDir, sidecar), kind: 'sidecar' });
  }
  for (const locale of [...locales].sort()) {
    files.push({ blobName: contactSheetBlobName(runId, locale), path: contactSheetPath(outDir, runId, locale), kind: 'contact-sheet' });
  }
  return { files, rows, rowsWithoutImage };
}

export interface PullProgress {
  done: number;
  total: number;
  bytes: number;
}

export interface PullResult {
  downloaded: number;
  bytes: number;
  /** Already on disk with the blob's size: not downloaded again. */
  skipped: number;
  /** Not in storage: a contact sheet of a run that has none (older runs), or a deleted blob. */
  missing: PullFile[];
  failed: Array<{ file: PullFile; message: string }>;
}

export interface PullOptions {
  concurrency?: number;
  onProgress?: (progress: PullProgress) => void;
}

/**
 * Downloads the planned files, `concurrency` at a time. A file already on disk with the blob's size
 * is left alone (a re-pull costs one HEAD per file); a download goes to `<file>.part` and is renamed
 * when complete, so an interrupted pull never leaves a short file that a re-pull would keep.
 */
export async function pullFiles(blobStore: BlobStore, files: PullFile[], options: PullOptions = {}): Promise<PullResult> {
  const limit = pLimit(options.concurrency ?? PULL_CONCURRENCY);
  const result: PullResult = { downloaded: 0, bytes: 0, skipped: 0, missing: [], failed: [] };
  let done = 0;
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        try {
          const outcome = await pullFile(blobStore, file);
          if (outcome === 'skipped') result.skipped += 1;
          else {
            result.downloaded += 1;
            result.bytes += outcome;
          }
        } catch (error) {
          if (error instanceof RestError && error.statusCode === 404) result.missing.push(file);
          else result.failed.push({ file, message: error instanceof Error ? error.message.split('\n')[0]! : String(error) });
        }
        done += 1;
        options.onProgress?.({ done, total: files.length, bytes: result.bytes });
      }),
    ),
  );
  return result;
}

async function pullFile(blobStore: BlobStore, file: PullFile): Promise<number | 'skipped'> {
  const blob = blobStore.container.getBlockBlobClient(file.blobName);
  const local = await stat(file.path).catch(() => undefined);
  if (local?.isFile()) {
    const remote = await blobStore.call(`reading the size of ${file.blobName}`, (abortSignal) => blob.getProperties({ abortSignal }));
    if (remote.contentLength === local.size) return 'skipped';
  }
  await mkdir(dirname(file.path), { recursive: true });
  const part = `${file.path}.part`;
  try {
    const response = await blobStore.call(`downloading ${file.blobName}`, (abortSignal) => blob.downloadToFile(part, 0, undefined, { abortSignal }));
    await rename(part, file.path);
    return response.contentLength ?? (await stat(file.path)).size;
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
}
