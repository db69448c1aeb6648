// Where the soak's CPU goes: seconds of CPU per component (the stand-in in this process, the workers,
// Azurite, Redis), read from /proc so that a killed worker's share is kept from its last reading. On a
// machine shared with other work, wall-clock rates say little; CPU seconds per image say what each
// part of the pipeline costs, and the machine's own busy share says how much was left for the soak.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/<pid>/stat's times, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime + cutime + cstime of a process (its reaped children, e.g. tesseract, included), in seconds. */
export function processCpuSeconds(pid: number): number | undefined {
  return readProcessStat(pid)?.cpuSeconds;
}

/**
 * A process's CPU seconds and its start time (in ticks since boot). The start time tells a process
 * from a later one given the same pid: with pid_max at 32768 and other work spawning processes, a
 * killed worker's pid came back within minutes as someone else's, whose CPU was then counted as the
 * soak's (2.75 cores of a 2-core machine in one soak).
 */
function readProcessStat(pid: number): { cpuSeconds: number; startTicks: string } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  // fields[0] is field 3 of proc(5); utime..cstime are fields 14-17, starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
  return Number.isFinite(ticks) ? { cpuSeconds: ticks / TICKS_PER_SECOND, startTicks: fields[19] ?? '' } : undefined;
}

/** Busy and total jiffies of the whole machine (every core), from /proc/stat's first line. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    // idle and iowait are the 4th and 5th values.
    return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

export class CpuAccount {
  /** Last reading per pid, and the component it belongs to. */
  private readonly readings = new Map<number, { component: string; seconds: number; startTicks: string }>();
  private readonly selfStart = process.cpuUsage();
  private readonly machineStart = machineTicks();
  private readonly startedAt = Date.now();

  /** Starts following a process (idempotent); its CPU counts towards `component`. */
  track(component: string, pid: number | undefined): void {
    if (pid === undefined || this.readings.has(pid)) return;
    const stat = readProcessStat(pid);
    this.readings.set(pid, { component, seconds: stat?.cpuSeconds ?? 0, startTicks: stat?.startTicks ?? '' });
  }

  /** Reads every followed process still alive; call often (a killed process keeps its last reading). */
  sample(): void {
    for (const [pid, reading] of this.readings) {
      const stat = readProcessStat(pid);
      // Gone, or its pid now belongs to another process: keep the last reading of ours.
      if (stat === undefined || stat.startTicks !== reading.startTicks) continue;
      if (stat.cpuSeconds >= reading.seconds) reading.seconds = stat.cpuSeconds;
    }
  }

  /** CPU seconds per component; `selfLabel` is this process (the stand-in and the soak's own polling). */
  totals(selfLabel: string): Map<string, number> {
    this.sample();
    const totals = new Map<string, number>();
    const self = process.cpuUsage(this.selfStart);
    totals.set(selfLabel, (self.user + self.system) / 1e6);
    for (const { component, seconds } of this.readings.values()) totals.set(component, (totals.get(component) ?? 0) + seconds);
    return totals;
  }

  /** How busy the whole machine was since this account began (0..1 of every core), whoever used it. */
  machineBusy(): number | undefined {
    const end = machineTicks();
    if (!end || !this.machineStart || end.total === this.machineStart.total) return undefined;
    return (end.busy - this.machineStart.busy) / (end.total - this.machineStart.total);
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }
}
