import { InputError } from '../errors/polyglyph-error.js';
import { formatIssue } from '../manifest/manifest-issue.js';
import { ManifestInvalidError } from '../queue/enqueue-manifest.js';
import { sha256File } from '../queue/sha256-file.js';
import type { IngestLedger } from './ingest-ledger.js';

/** Starts a run of a manifest file (enqueueManifest with the command's defaults); returns its id. */
export type StartRun = (manifestPath: string, origin: string) => Promise<{ runId: string }>;

/** What one scan did with one dropped manifest. */
export interface DropOutcome {
  where: 'blob' | 'dir';
  name: string;
  /**
   * `started`: a new run; `duplicate`: the same content was ingested before (no new run);
   * `rejected`: the manifest has errors; `skipped`: another scanner has it; `failed`: left in
   * incoming for the next pass (storage or Redis trouble, a configuration error).
   */
  action: 'started' | 'duplicate' | 'rejected' | 'skipped' | 'failed';
  runId?: string | undefined;
  /** duplicate: the run the same content started, and where that copy came from. */
  earlierRunId?: string | undefined;
  earlierSource?: string | undefined;
  /** rejected: the lines of `<name>.errors.txt`. */
  errors?: string[] | undefined;
  message?: string | undefined;
}

export type IngestDecision = Omit<DropOutcome, 'where' | 'name'> & { sha256: string; /** skipped, but the move to processed/ is still to do. */ finishMove?: boolean };

/**
 * Decides what to do with a claimed local copy of a dropped manifest: claim its content in the
 * ledger (exactly one scanner wins, and content seen before is a duplicate), then start its run.
 * Moving the manifest to processed/ or rejected/ is the caller's job; ingestion errors other than
 * a bad manifest release the claim and are rethrown, so the next pass tries again.
 */
export async function ingestDrop(path: string, name: string, source: string, deps: { ledger: IngestLedger; startRun: StartRun }): Promise<IngestDecision> {
  const sha256 = await sha256File(path);
  const held = await deps.ledger.claim(sha256, source);
  if (held) {
    if (held.source === source) {
      // Its run started already (by another scanner, or by a pass that failed to move it): only the move is left.
      if (held.runId !== undefined) return { action: 'skipped', sha256, runId: held.runId, finishMove: true, message: `run ${held.runId} already started from it` };
      return { action: 'skipped', sha256, message: 'another scanner is ingesting it' };
    }
    return { action: 'duplicate', sha256, earlierRunId: held.runId, earlierSource: held.source };
  }
  try {
    const { runId } = await deps.startRun(path, `drop:${name}`);
    await deps.ledger.recordRun(sha256, source, runId);
    return { action: 'started', sha256, runId };
  } catch (error) {
    await deps.ledger.release(sha256);
    if (error instanceof InputError) return { action: 'rejected', sha256, errors: errorLines(error, name) };
    throw error;
  }
}

/** Every issue as `name:line:column: error: ...` (formatIssue), or the error's message and hint. */
export function errorLines(error: InputError, name: string): string[] {
  if (error instanceof ManifestInvalidError) {
    const { summary } = error;
    const lines = summary.issues.map((issue) => formatIssue({ ...issue, file: name }));
    if (summary.truncatedIssues > 0) lines.push(`... and ${summary.truncatedIssues} more issues (run \`polyglyph validate ${name}\` for the rest)`);
    lines.push(`${summary.errors} error${summary.errors === 1 ? '' : 's'}, ${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}; nothing was enqueued`);
    return lines;
  }
  return [`${name}: ${error.message}`, ...(error.hint ? [`fix: ${error.hint}`] : [])];
}
