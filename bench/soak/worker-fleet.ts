// The soak's `polyglyph worker` processes, kept running the way a supervisor (systemd, Kubernetes)
// keeps them: a worker the soak SIGKILLs is started again at once, and so is one that exits by itself
// (counted apart, with its last line: on a saturated machine a worker's start-up check can give up on
// Redis). Kills go round the first half of the slots, so the other half live through the whole soak
// and their memory can be compared.
import { readFile } from 'node:fs/promises';
import { WorkerProcess, type CliEntry, type PolyglyphEnvironment } from '../quota/polyglyph-processes.js';
import type { CpuAccount } from './cpu-account.js';

export interface RssReading {
  pid: number | undefined;
  kb: number | undefined;
}

export class WorkerFleet {
  readonly slots: WorkerProcess[];
  /** Per slot: restarts after a kill, restarts after the worker exited by itself. */
  readonly kills: number[];
  readonly selfExits: number[];
  /** The last line of each worker that exited by itself, newest last (at most 5 kept). */
  readonly exitLines: string[] = [];
  /** Log lines (warn and above) by message, over every worker that ran, replaced ones included. */
  private readonly retiredLogCounts = new Map<string, number>();
  private killCount = 0;

  constructor(
    size: number,
    private readonly environment: PolyglyphEnvironment,
    private readonly entry: CliEntry,
    private readonly cpu: CpuAccount,
  ) {
    this.slots = Array.from({ length: size }, (_, index) => this.start(index));
    this.kills = new Array<number>(size).fill(0);
    this.selfExits = new Array<number>(size).fill(0);
  }

  /** SIGKILLs the next worker in the rotation and starts a new one in its slot; returns the slot (0-based). */
  async killNext(): Promise<number> {
    const slot = this.killCount % Math.max(1, Math.floor(this.slots.length / 2));
    this.killCount += 1;
    this.cpu.sample();
    await this.slots[slot]!.kill();
    this.retire(this.slots[slot]!);
    this.slots[slot] = this.start(slot);
    this.kills[slot]! += 1;
    return slot;
  }

  /** Starts again every worker that exited without being killed; returns how many. */
  superviseExits(): number {
    let restarted = 0;
    for (const [slot, worker] of this.slots.entries()) {
      if (!worker.hasExited) continue;
      const last = worker.output.text().trim().split('\n').at(-1) ?? '';
      this.exitLines.push(`worker ${slot + 1} exited ${worker.exitCode ?? ''}: ${last.slice(0, 200)}`);
      if (this.exitLines.length > 5) this.exitLines.shift();
      this.retire(worker);
      this.slots[slot] = this.start(slot);
      this.selfExits[slot]! += 1;
      restarted += 1;
    }
    return restarted;
  }

  get totalKills(): number {
    return this.killCount;
  }

  get totalSelfExits(): number {
    return this.selfExits.reduce((sum, count) => sum + count, 0);
  }

  /** The most frequent log messages of all workers, most frequent first. */
  topLogMessages(limit: number): Array<[string, number]> {
    const totals = new Map(this.retiredLogCounts);
    for (const worker of this.slots) for (const [message, count] of worker.logCounts) totals.set(message, (totals.get(message) ?? 0) + count);
    return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
  }

  async rss(): Promise<RssReading[]> {
    return Promise.all(this.slots.map(async (worker) => ({ pid: worker.pid, kb: await rssKb(worker.pid) })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.slots.map((worker) => worker.stop()));
  }

  private retire(worker: WorkerProcess): void {
    for (const [message, count] of worker.logCounts) this.retiredLogCounts.set(message, (this.retiredLogCounts.get(message) ?? 0) + count);
  }

  private start(slot: number): WorkerProcess {
    const worker = new WorkerProcess(slot + 1, this.environment, this.entry);
    this.cpu.track('workers', worker.pid);
    return worker;
  }
}

async function rssKb(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) : undefined;
}
