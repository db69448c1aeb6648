/**
 * check-text: reads back the text of the images one item stored and compares it with the expected
 * text, then settles the item (its report rows gain the check's columns).
 *
 * Payload:      TextCheckJobData (src/queue/text-check-job.ts).
 * Side effects: per image: blob metadata `textcer`, `textcheck`, `textengine`; the sidecar JSON gains
 *               `textCheck` (engine, expected and read text, score); the item settled into every run
 *               waiting for it, with per-locale check counters. With --regenerate-on-mismatch n, a
 *               flagged image's item gets one more variant (up to n per item, budget-checked) through
 *               the re-render path; the run waits for it (src/runs/regenerate-on-mismatch.ts).
 * Idempotency:  an image whose metadata already records a check by the same engine is not read again
 *               (its sidecar's reading is scored afresh against today's thresholds); settling twice
 *               counts nothing twice (SETTLE_SCRIPT); a regeneration is claimed once per flagged image.
 * Retries:      storage and OCR failures retry (the job's attempts); on the last attempt, or when the
 *               engine is not installed, the image is recorded as `error` and the item settles anyway:
 *               a check never holds a run back for good. A check whose worker died is taken up again
 *               while its own time lasts (stall-recovery.ts, POLYGLYPH_MAX_TRANSIENT_MS), however many
 *               workers died under it; past that it fails and its images are recorded as `error`.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { PolyglyphError } from '../src/errors/polyglyph-error.js';
import type { ImageJobData } from '../src/queue/image-job.js';
import type { TextCheckJobData } from '../src/queue/text-check-job.js';
import { decideStallRecovery } from '../src/queue/stall-recovery.js';
import type { OutcomeCounts } from '../src/runs/outcome-counts.js';
import type { ReportRow } from '../src/runs/report-row.js';
import type { RunStore } from '../src/runs/run-store.js';
import { carryOutRegeneration, claimRegeneration, type RegenerateSettings } from '../src/runs/regenerate-on-mismatch.js';
import { sidecarBlobName } from '../src/storage/blob-name.js';
import type { BlobStore } from '../src/storage/blob-store.js';
import { evaluateReading, type TextCheckResult } from '../src/text-check/evaluate-reading.js';
import type { Script } from '../src/text-check/max-cer.js';
import { readAndScore } from '../src/text-check/read-and-score.js';
import type { TextReader } from '../src/text-check/text-reader.js';

export interface CheckTextDeps {
  blobStore: BlobStore;
  runStore: RunStore;
  reader: TextReader;
  /** A second engine for images the first flags (the vision deployment, when one is configured): the reading nearer the expected text counts. */
  secondOpinion?: TextReader | undefined;
  maxCer: Record<Script, number>;
  /** Called with the runs the item's outcome finished: their reports are to be written (once, here). */
  onRunsFinished: (runIds: string[]) => Promise<void>;
  logger: Logger;
  /** `--regenerate-on-mismatch`: absent, nothing is regenerated. */
  regenerate?: RegenerateSettings | undefined;
  /** How long a check may keep being recovered from dead workers before it fails (POLYGLYPH_MAX_TRANSIENT_MS). */
  maxTransientMs: number;
  now?: () => number;
}

export interface CheckTextResult {
  checked: number;
  needsReview: number;
}

export async function checkText(job: Job<TextCheckJobData>, deps: CheckTextDeps): Promise<CheckTextResult> {
  const data = job.data;
  const log = deps.logger.child({ runId: data.image.runId, jobId: data.itemJobId, messageId: data.image.messageId, locale: data.image.locale });
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  // Taken up again after its worker stopped holding it: bounded by the check's time, not by how many
  // workers died under it. Failing it settles the item with its images unchecked (text-check-worker.ts).
  const stall = decideStallRecovery({ stalledCount: job.stalledCounter, since: data.stalledSince, seen: data.stalledSeen }, { now: (deps.now ?? Date.now)(), maxTransientMs: deps.maxTransientMs });
  if (stall.action === 'fail') {
    throw new UnrecoverableError(
      `its worker stopped holding it ${job.stalledCounter} times (killed, crashed or its lock lost) over ${Math.round(stall.elapsedMs / 1000)} s, longer than POLYGLYPH_MAX_TRANSIENT_MS`,
    );
  }
  if (stall.action === 'continue' && stall.fresh) {
    log.warn({ stalledCount: job.stalledCounter }, 'text check taken up again after its worker stopped holding it (stalled-job recovery)');
    await job.updateData({ ...job.data, stalledSince: stall.since, stalledSeen: job.stalledCounter });
  }
  const rows = data.rows.map((row) => ({ ...row }));
  const counts: OutcomeCounts = { ...data.counts };
  let needsReview = 0;
  let checked = 0;
  let flagged: ReportRow | undefined;
  const regenerations = deps.regenerate ? await deps.runStore.regenerations(data.image.runId) : [];
  for (const row of rows) {
    if (!row.blobName || row.status === 'failed' || row.status === 'cancelled' || row.textStatus) continue;
    // A variant rendered in place of a flagged one says which (report row and sidecar).
    const of = regenerations.find((state) => state.refused === undefined && state.newVariant === row.variant && state.id === row.id && state.locale === row.locale && state.model === row.model);
    if (of) row.regenerationOf = of.blobName;
    const result = await checkImage(deps, data.image, row.blobName, lastAttempt, log, of?.blobName);
    Object.assign(row, reportFields(result));
    // The newest flagged variant: an older one was claimed (or refused) when it was checked.
    if (result.status === 'needs_review' && (!flagged || Number(row.variant) > Number(flagged.variant))) flagged = row;
    addCounts(counts, data.image.locale, result);
    checked += 1;
    if (result.status === 'needs_review') needsReview += 1;
  }
  // Claimed before the item settles, so settling cannot finish the run while a variant is still to come.
  const pending = deps.regenerate ? await claimRegeneration(deps.runStore, deps.regenerate, data.image.runId, rows, flagged) : undefined;
  const { finished } = await deps.runStore.settle(data.itemJobId, rows, counts);
  if (pending && deps.regenerate && (await carryOutRegeneration(deps.runStore, deps.regenerate, pending, { lastAttempt, logger: log }))) finished.push(pending.runId);
  if (finished.length > 0) await deps.onRunsFinished(finished);
  log.info({ checked, needsReview }, 'text checked');
  return { checked, needsReview };
}

async function checkImage(deps: CheckTextDeps, image: ImageJobData, blobName: string, lastAttempt: boolean, log: Logger, regenerationOf?: string): Promise<TextCheckResult> {
  const sidecarName = sidecarBlobName(blobName);
  const evaluate = (read: string, engine: string): TextCheckResult => evaluateReading({ locale: image.locale, expected: image.text, read, engine, maxCer: deps.maxCer });
  try {
    const metadata = await deps.blobStore.metadata(blobName);
    if (!metadata) throw new Error(`image ${blobName} is not in storage`);
    const sidecar = await readSidecar(deps.blobStore, sidecarName);
    const earlier = sidecar?.textCheck as Partial<TextCheckResult> | undefined;
    if (
      readersOf(deps).some((reader) => metadata.textengine === asciiEngine(reader.engine)) &&
      typeof earlier?.readText === 'string' &&
      typeof earlier.engine === 'string' &&
      earlier.status !== 'error'
    ) {
      // Read before (a re-run, another run sharing the item): the reading stands, the score is redone.
      return evaluate(earlier.readText, earlier.engine);
    }
    const result = await readAndScore(readersOf(deps), await deps.blobStore.download(blobName), image.locale, (reading) => evaluate(reading.text, reading.engine));
    await deps.blobStore.mergeMetadata(blobName, { textcer: result.cer === null ? 'none' : result.cer.toFixed(4), textcheck: result.status, textengine: asciiEngine(result.engine) });
    if (sidecar) await deps.blobStore.replaceJson(sidecarName, { ...sidecar, textCheck: result, ...(regenerationOf ? { regenerationOf } : {}) });
    return result;
  } catch (error) {
    // A missing engine or language will not install itself between attempts.
    if (!lastAttempt && !(error instanceof PolyglyphError)) throw error;
    log.error({ err: error, blobName }, 'could not check the text of an image; recorded as error');
    return {
      status: 'error',
      engine: deps.reader.engine,
      expectedText: image.text ?? null,
      readText: '',
      cer: null,
      maxCer: 0,
      scriptShare: 0,
      checkedAt: new Date().toISOString(),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

function readersOf(deps: CheckTextDeps): TextReader[] {
  return deps.secondOpinion ? [deps.reader, deps.secondOpinion] : [deps.reader];
}

async function readSidecar(blobStore: BlobStore, name: string): Promise<Record<string, unknown> | undefined> {
  if (!(await blobStore.exists(name))) return undefined;
  return JSON.parse((await blobStore.download(name)).toString('utf8')) as Record<string, unknown>;
}

/** Metadata values are ASCII (Azure's rule); engine names are, but a deployment name need not be. */
function asciiEngine(engine: string): string {
  return engine.replace(/[^\x20-\x7e]/g, '_');
}

/** The report's text-check columns for one image. */
export function reportFields(result: TextCheckResult): Pick<ReportRow, 'textStatus' | 'textCer' | 'textEngine' | 'readText'> {
  return { textStatus: result.status, textCer: result.cer ?? '', textEngine: result.engine, readText: result.readText };
}

/** Per-locale counters of the run summary: images checked, flagged, and the error rates' sum (micro-units, HINCRBY takes integers). */
export function addCounts(counts: OutcomeCounts, locale: string, result: TextCheckResult): void {
  const add = (field: string, value: number): void => {
    if (value) counts[field] = (counts[field] ?? 0) + value;
  };
  add(`locale:${locale}:checked`, 1);
  add(`locale:${locale}:needsReview`, result.status === 'needs_review' ? 1 : 0);
  add(`locale:${locale}:checkErrors`, result.status === 'error' ? 1 : 0);
  if (result.cer !== null) {
    add(`locale:${locale}:measured`, 1);
    add(`locale:${locale}:cerMicros`, Math.round(result.cer * 1_000_000));
  }
  add('textNeedsReview', result.status === 'needs_review' ? 1 : 0);
}
