import { InputError } from '../errors/polyglyph-error.js';
import { describeDropSource } from './drop-source.js';
import { formatIssue } from '../manifest/manifest-issue.js';
import { ManifestInvalidError } from '../queue/enqueue-manifest.js';
import { sha256File } from '../queue/sha256-file.js';
import type { Logger } from 'pino';
import { CLAIM_HEARTBEAT_MS, type IngestLedger } from './ingest-ledger.js';

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

export interface IngestDeps {
  ledger: IngestLedger;
  startRun: StartRun;
  /** How often a claim is kept alive while its run starts. Default CLAIM_HEARTBEAT_MS. */
  heartbeatMs?: number | undefined;
  /** Called with every heartbeat, e.g. to touch a claimed file so its own staleness check agrees. */
  keepAlive?: (() => Promise<void>) | undefined;
  logger?: Logger | undefined;
}

/**
 * Decides what to do with a local copy of a dropped manifest: claim its content in the ledger
 * (exactly one scanner wins; content with a run already is a duplicate; content another live scanner
 * is ingesting is skipped for now), then start its run while keeping the claim alive. Moving the
 * manifest to processed/ or rejected/ is the caller's job; ingestion errors other than a bad manifest
 * release the claim and are rethrown, so the next pass tries again.
 */
export async function ingestDrop(path: string, name: string, source: string, deps: IngestDeps): Promise<IngestDecision> {
  const sha256 = await sha256File(path);
  const { held, tookOver } = await deps.ledger.claim(sha256, source);
  if (held) {
    if (held.runId === undefined) {
      // Not finished, and not a duplicate yet: the claimant may still fail and release it. Next pass.
      return { action: 'skipped', sha256, message: `another scanner is ingesting the same content (${describeDropSource(held.source)})` };
    }
    // Its run started already (by another scanner, or by a pass that failed to move it): only the move is left.
    if (held.source === source) return { action: 'skipped', sha256, runId: held.runId, finishMove: true, message: `run ${held.runId} already started from it` };
    return { action: 'duplicate', sha256, earlierRunId: held.runId, earlierSource: held.source };
  }
  if (tookOver) deps.logger?.warn({ manifest: name, staleClaim: tookOver }, 'took over the claim of a scanner that stopped while ingesting this manifest');
  const stopBeating = keepClaimAlive(sha256, source, name, deps);
  try {
    const { runId } = await deps.startRun(path, `drop:${name}`);
    await deps.ledger.recordRun(sha256, source, runId);
    return { action: 'started', sha256, runId };
  } catch (error) {
    await deps.ledger.release(sha256, source);
    if (error instanceof InputError) return { action: 'rejected', sha256, errors: errorLines(error, name) };
    throw error;
  } finally {
    stopBeating();
  }
}

/** Beats for the claim until stopped; a failed beat is logged and the next one tries again. */
function keepClaimAlive(sha256: string, source: string, name: string, deps: IngestDeps): () => void {
  const timer = setInterval(() => {
    Promise.all([deps.ledger.heartbeat(sha256, source), deps.keepAlive?.()])
      .then(([ours]) => {
        if (!ours) deps.logger?.warn({ manifest: name }, 'lost the claim on a dropped manifest while starting its run (another scanner took it over)');
      })
      .catch((error: unknown) => deps.logger?.warn({ err: error, manifest: name }, 'could not keep the claim on a dropped manifest alive'));
  }, deps.heartbeatMs ?? CLAIM_HEARTBEAT_MS);
  // A pending beat must not keep a finished scan process alive.
  timer.unref();
  return () => clearInterval(timer);
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
