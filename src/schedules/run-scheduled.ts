import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Job } from 'bullmq';
import type { StartRun } from '../drops/ingest-drop.js';
import { scanDrops, type ScanDeps } from '../drops/scan-drops.js';
import { InputError } from '../errors/polyglyph-error.js';
import type { ScheduleJobData } from './schedules.js';

/**
 * What a fired schedule does: `scan` runs one scan pass; `manifest` starts a run of that manifest,
 * a local path when one exists on this machine, else a blob name in the run's container (downloaded
 * to a temporary file first). Returns a short summary, kept as the job's return value.
 */
export function scheduledJobHandler(deps: { scan: ScanDeps; startRun: StartRun }): (job: Job<ScheduleJobData>) => Promise<string> {
  return async (job) => {
    const data = job.data;
    if (data.kind === 'scan') {
      const outcomes = await scanDrops(deps.scan);
      return outcomes.map((outcome) => `${outcome.action} ${outcome.name}${outcome.runId ? ` ${outcome.runId}` : ''}`).join('; ') || 'no manifests dropped';
    }
    const origin = `schedule:${data.schedule}`;
    if (await exists(data.manifest)) return (await deps.startRun(data.manifest, origin)).runId;
    const container = deps.scan.container;
    if (!container) throw new InputError(`schedule ${data.schedule}: ${data.manifest} is not a file here and no blob storage is configured`);
    const dir = await mkdtemp(join(tmpdir(), 'polyglyph-scheduled-'));
    try {
      const path = join(dir, basename(data.manifest));
      const call = deps.scan.storageCall ?? ((_operation, run) => run(undefined));
      await call(`downloading ${data.manifest}`, (abortSignal) => container.getBlockBlobClient(data.manifest).downloadToFile(path, 0, undefined, { abortSignal }));
      return (await deps.startRun(path, origin)).runId;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
