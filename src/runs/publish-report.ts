import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BlobStore } from '../storage/blob-store.js';
import type { RunStore } from './run-store.js';
import { publishContactSheets } from './publish-contact-sheets.js';
import { writeReport } from './write-report.js';

/** Where a run's report goes in the container. */
export function reportBlobName(runId: string, format: 'json' | 'csv'): string {
  return `reports/${runId}.${format}`;
}

/**
 * Writes the finished run's report (JSON and CSV) to blob storage. Called by whichever process
 * finished the run (the SETTLE / MARK_ENQUEUED claim in Redis picks exactly one), so a run of any
 * number of workers gets one report; rows stream through a temporary file, never held in memory.
 */
export async function publishReport(runStore: RunStore, blobStore: BlobStore, runId: string): Promise<string> {
  const run = await runStore.get(runId);
  if (!run) throw new Error(`run ${runId} is not in Redis`);
  const dir = await mkdtemp(join(tmpdir(), 'polyglyph-report-'));
  try {
    const written = await writeReport(runStore, run, dir);
    const name = reportBlobName(runId, 'json');
    await blobStore.uploadFile(reportBlobName(runId, 'csv'), written.csvPath, 'text/csv; charset=utf-8');
    // One PNG per locale beside the report (reports/<run>/<locale>.png), before the JSON that says "done".
    await publishContactSheets(runStore, blobStore, runId);
    // The JSON last: its presence says the report is complete.
    await blobStore.uploadFile(name, written.jsonPath, 'application/json; charset=utf-8');
    await runStore.setReportBlob(runId, name);
    return name;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface FinishedRunDeps {
  runStore: RunStore;
  /** None when no storage is configured: the report then lives in Redis and `polyglyph report`. */
  blobStore: BlobStore | undefined;
  logger: Pick<Logger, 'info' | 'error'>;
}

/**
 * The one owner of "a run finished: publish its report". Whoever settled the run's last item calls
 * it: the worker that settled it, a producer whose every image already existed, a `cancel` that
 * settled the rest. A report already published is not written again. A failure is logged, not
 * thrown: the run is done either way, and `polyglyph report <run>` rebuilds the report from Redis.
 */
export async function publishFinishedRun(deps: FinishedRunDeps, runId: string): Promise<string | undefined> {
  // Said on the run, so that `run`, `enqueue --wait` and `retry --wait` stop waiting for a report that
  // will not come (they waited their full 30 s after a `cancel` from a shell without storage).
  if (!deps.blobStore) {
    await deps.runStore.setReportNotWritten(runId, 'the process that finished the run has no storage configured').catch(() => undefined);
    return undefined;
  }
  try {
    const existing = (await deps.runStore.get(runId))?.reportBlob;
    if (existing) return existing;
    const name = await publishReport(deps.runStore, deps.blobStore, runId);
    deps.logger.info({ runId, report: name }, 'run finished; report written');
    return name;
  } catch (error) {
    deps.logger.error({ err: error, runId }, 'run finished but its report could not be written to storage');
    await deps.runStore.setReportNotWritten(runId, 'writing it to storage failed (the log of the process that finished the run says why)').catch(() => undefined);
    return undefined;
  }
}
