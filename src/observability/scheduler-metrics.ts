import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { DropOutcome } from '../drops/ingest-drop.js';

/**
 * The scheduler's Prometheus metrics, in a registry of their own: what the drops became, and how the
 * fired schedules ended. Node's process metrics too, as on the worker.
 */
export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly #drops: Counter<'action' | 'where'>;
  readonly #scheduledJobs: Counter<'schedule' | 'outcome'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#drops = new Counter({
      name: 'polyglyph_drops_total',
      help: 'Dropped manifests by what the scan did: started, duplicate, rejected, skipped (another scanner has it), failed (left for the next pass)',
      labelNames: ['action', 'where'],
      registers,
    });
    this.#scheduledJobs = new Counter({
      name: 'polyglyph_scheduled_jobs_total',
      help: 'Fired schedules run by this scheduler, by schedule and outcome (completed or failed)',
      labelNames: ['schedule', 'outcome'],
      registers,
    });
    // Zero-valued series from the start, so rate() and alerts on rejected/failed drops work at once.
    for (const action of ['started', 'duplicate', 'rejected', 'skipped', 'failed'] as const) {
      for (const where of ['blob', 'dir'] as const) this.#drops.inc({ action, where }, 0);
    }
  }

  drop(outcome: Pick<DropOutcome, 'action' | 'where'>): void {
    this.#drops.inc({ action: outcome.action, where: outcome.where });
  }

  scheduledJob(schedule: string, outcome: 'completed' | 'failed'): void {
    this.#scheduledJobs.inc({ schedule, outcome });
  }
}
