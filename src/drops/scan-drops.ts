import { randomUUID } from 'node:crypto';
import { describeDropSource } from './drop-source.js';
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { Logger } from 'pino';
import type { IngestLedger } from './ingest-ledger.js';
import { ingestDrop, type DropOutcome, type IngestDecision, type StartRun } from './ingest-drop.js';

export interface ScanDeps {
  ledger: IngestLedger;
  startRun: StartRun;
  /** The run's container; drops are read from `dropPrefix` in it. Unset: blobs are not scanned. */
  container?: ContainerClient | undefined;
  /** e.g. `manifests/incoming/`; processed/ and rejected/ go beside it (`manifests/processed/`). */
  dropPrefix: string;
  /** A local folder with incoming/, processing/, processed/, rejected/ subfolders. */
  dropDir?: string | undefined;
  logger?: Logger | undefined;
  /** How often a claim is kept alive while its run starts. Default CLAIM_HEARTBEAT_MS. */
  heartbeatMs?: number | undefined;
  /** Told of every manifest a pass dealt with (metrics). */
  onOutcome?: ((outcome: DropOutcome) => void) | undefined;
  /**
   * Runs one storage operation with its abort signal: the store's deadline and the command's stop
   * signal (BlobStore.call). Unset: no deadline.
   */
  storageCall?: StorageCall | undefined;
}

/** BlobStore.call's shape: `run` gets the signal to hand to the SDK call. */
export type StorageCall = <T>(operation: string, run: (abortSignal: AbortSignal | undefined) => Promise<T>) => Promise<T>;

const withoutDeadline: StorageCall = (_operation, run) => run(undefined);

/** One pass over the drop locations: every manifest found is started, rejected or recognised as a duplicate. */
export async function scanDrops(deps: ScanDeps): Promise<DropOutcome[]> {
  const outcomes: DropOutcome[] = [];
  if (deps.container) outcomes.push(...(await scanBlobs(deps, deps.container)));
  if (deps.dropDir !== undefined) outcomes.push(...(await scanDir(deps, deps.dropDir)));
  for (const outcome of outcomes) {
    deps.onOutcome?.(outcome);
    if (outcome.action === 'duplicate')
      deps.logger?.info({ manifest: outcome.name, earlierRunId: outcome.earlierRunId, earlierManifest: describeDropSource(outcome.earlierSource) }, 'dropped manifest was ingested before; no new run');
    else if (outcome.action === 'failed') deps.logger?.warn({ manifest: outcome.name, error: outcome.message }, 'dropped manifest left for the next pass');
    else deps.logger?.info({ manifest: outcome.name, action: outcome.action, runId: outcome.runId }, 'dropped manifest');
  }
  return outcomes;
}

/** `manifests/incoming/` -> `manifests/`; `drops/` -> `` (processed/ at the container's root). */
export function dropBase(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? '' : trimmed.slice(0, slash + 1);
}

async function scanBlobs(deps: ScanDeps, container: ContainerClient): Promise<DropOutcome[]> {
  const outcomes: DropOutcome[] = [];
  const base = dropBase(deps.dropPrefix);
  const call = deps.storageCall ?? withoutDeadline;
  // Listed first, under one deadline, then ingested one by one: an ingest may take long.
  const listed = await call(`listing ${deps.dropPrefix}`, async (abortSignal) => {
    const items = [];
    for await (const item of container.listBlobsFlat({ prefix: deps.dropPrefix, abortSignal })) items.push(item);
    return items;
  });
  for (const item of listed) {
    const name = item.name.slice(deps.dropPrefix.length);
    if (!name || name.endsWith('/')) continue;
    const etag = item.properties.etag ?? '';
    const blob = container.getBlockBlobClient(item.name);
    const dir = await mkdtemp(join(tmpdir(), 'polyglyph-drop-'));
    // Named as dropped, so the run records the manifest's own name.
    const path = join(dir, basename(name));
    try {
      try {
        await call(`downloading ${item.name}`, (abortSignal) => blob.downloadToFile(path, 0, undefined, { conditions: { ifMatch: etag }, abortSignal }));
      } catch (error) {
        // Gone (another scanner finished it) or replaced since the listing (the next pass sees the new one).
        if (isGoneOrChanged(error)) {
          outcomes.push({ where: 'blob', name, action: 'skipped', message: 'gone or replaced since listed' });
          continue;
        }
        throw error;
      }
      const decision = await ingestDrop(path, name, `blob:${name}@${etag}`, deps);
      await settleBlob(container, call, item.name, base, name, path, etag, decision);
      outcomes.push({ where: 'blob', name, ...withoutSha(decision) });
    } catch (error) {
      outcomes.push({ where: 'blob', name, action: 'failed', message: error instanceof Error ? error.message : String(error) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return outcomes;
}

/** Moves the dropped blob (upload of the bytes we hashed, then a delete conditional on their etag). */
async function settleBlob(container: ContainerClient, call: StorageCall, dropped: string, base: string, name: string, path: string, etag: string, decision: IngestDecision): Promise<void> {
  if (decision.action === 'skipped' && decision.finishMove !== true) return;
  const headers = { blobHTTPHeaders: { blobContentType: 'text/csv; charset=utf-8' } };
  if (decision.action === 'rejected') {
    await call(`uploading ${base}rejected/${name}`, (abortSignal) => container.getBlockBlobClient(`${base}rejected/${name}`).uploadFile(path, { ...headers, abortSignal }));
    const text = `${(decision.errors ?? []).join('\n')}\n`;
    await call(`uploading ${base}rejected/${name}.errors.txt`, (abortSignal) =>
      container.getBlockBlobClient(`${base}rejected/${name}.errors.txt`).uploadData(Buffer.from(text, 'utf8'), { blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' }, abortSignal }),
    );
  } else {
    const metadata: Record<string, string> = { sha256: decision.sha256 };
    if (decision.action !== 'duplicate' && decision.runId) metadata.runid = decision.runId;
    if (decision.action === 'duplicate') {
      metadata.duplicate = 'true';
      if (decision.earlierRunId) metadata.runid = decision.earlierRunId;
      metadata.note = encodeURIComponent(`same content as ${describeDropSource(decision.earlierSource)}${decision.earlierRunId ? ` (run ${decision.earlierRunId})` : ''}; no new run`);
    }
    await call(`uploading ${base}processed/${name}`, (abortSignal) => container.getBlockBlobClient(`${base}processed/${name}`).uploadFile(path, { ...headers, metadata, abortSignal }));
  }
  try {
    await call(`deleting ${dropped}`, (abortSignal) => container.getBlockBlobClient(dropped).delete({ conditions: { ifMatch: etag }, abortSignal }));
  } catch (error) {
    if (!isGoneOrChanged(error)) throw error;
  }
}

async function scanDir(deps: ScanDeps, root: string): Promise<DropOutcome[]> {
  const folders = { incoming: join(root, 'incoming'), processing: join(root, 'processing'), processed: join(root, 'processed'), rejected: join(root, 'rejected') };
  for (const folder of Object.values(folders)) await mkdir(folder, { recursive: true });
  await recoverStranded(folders.processing, folders.incoming, deps);
  const outcomes: DropOutcome[] = [];
  const entries = await readdir(folders.incoming, { withFileTypes: true });
  for (const entry of entries) {
    // Dot files are uploads still being written (write `.name.csv`, then rename it into place).
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const name = entry.name;
    const processing = join(folders.processing, name);
    try {
      // The claim: rename is atomic on one file system, so exactly one scanner gets the file.
      await rename(join(folders.incoming, name), processing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    try {
      // The file's mtime is the claim's heartbeat in the folder (see recoverStranded); rename keeps the old one.
      await touch(processing);
      // The rename already made the claim ours: a fresh source id so the ledger only detects duplicate content.
      const decision = await ingestDrop(processing, name, `dir:${name}@${randomUUID()}`, { ...deps, keepAlive: () => touch(processing) });
      if (decision.action === 'skipped') {
        // The same content is being ingested from elsewhere: back to incoming/ for the next pass.
        await rename(processing, join(folders.incoming, name));
      } else if (decision.action === 'rejected') {
        await rename(processing, join(folders.rejected, name));
        await writeFile(join(folders.rejected, `${name}.errors.txt`), `${(decision.errors ?? []).join('\n')}\n`);
      } else {
        await rename(processing, join(folders.processed, name));
        const note =
          decision.action === 'duplicate'
            ? `same content as ${describeDropSource(decision.earlierSource)}${decision.earlierRunId ? ` (run ${decision.earlierRunId})` : ''}; no new run\n`
            : `run ${decision.runId ?? ''}\n`;
        await writeFile(join(folders.processed, `${name}.note.txt`), note);
      }
      outcomes.push({ where: 'dir', name, ...withoutSha(decision) });
    } catch (error) {
      // Back to incoming for the next pass.
      await rename(processing, join(folders.incoming, name)).catch(() => undefined);
      outcomes.push({ where: 'dir', name, action: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}

/**
 * A file left in processing/ by a scanner that died mid-ingest goes back to incoming/ once its mtime
 * (touched with every heartbeat) is older than the ledger's staleness; by then the ledger lets the
 * next claim take over too. The rename is atomic, so one scanner recovers it.
 */
async function recoverStranded(processing: string, incoming: string, deps: ScanDeps): Promise<void> {
  const staleMs = deps.ledger.staleMs;
  for (const entry of await readdir(processing, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(processing, entry.name);
    try {
      if (Date.now() - (await stat(path)).mtimeMs < staleMs) continue;
      await rename(path, join(incoming, entry.name));
      deps.logger?.warn({ manifest: entry.name }, 'a dropped manifest was left in processing/ by a scanner that stopped; back to incoming/');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

async function touch(path: string): Promise<void> {
  const now = new Date();
  await utimes(path, now, now);
}

function withoutSha(decision: IngestDecision): Omit<IngestDecision, 'sha256' | 'finishMove'> {
  const { sha256: _sha256, finishMove: _finishMove, ...rest } = decision;
  void _sha256;
  void _finishMove;
  return rest;
}

function isGoneOrChanged(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 404 || error.statusCode === 412);
}
