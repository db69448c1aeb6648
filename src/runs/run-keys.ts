/**
 * Redis keys of runs and items. All of them start with the queue's own prefix and name so one
 * `{...}` hash tag in the prefix keeps everything in one slot on a Redis Cluster, as BullMQ advises
 * (the prefix gets one when REDIS_CLUSTER_NODES is set). Scripts are given these keys; none builds a
 * key name itself, and none reads BullMQ's own keys.
 */
export class RunKeys {
  readonly base: string;

  constructor(prefix: string, queueName: string) {
    this.base = `${prefix}:${queueName}`;
  }

  run(runId: string): string {
    return `${this.base}:run:${runId}`;
  }
  /**
   * The run's report rows, a sorted set scored by manifest line: the report lists them in the
   * manifest's order whatever order the workers finished them in (ties, the locales and variants of
   * one line, in the order of their JSON text).
   */
  rows(runId: string): string {
    return `${this.base}:run:${runId}:rows-by-line`;
  }
  /** Where runs recorded before rows were ordered kept them: a list, in the order they settled. */
  legacyRows(runId: string): string {
    return `${this.base}:run:${runId}:rows`;
  }
  /** The run's failed rows, also in `rows`: the dashboard lists failures without reading every row. */
  failures(runId: string): string {
    return `${this.base}:run:${runId}:failures`;
  }
  /** Recent runs, newest first by score (start time). */
  runIndex(): string {
    return `${this.base}:runs`;
  }
  /** The run's items (job ids), for cancel. */
  runItems(runId: string): string {
    return `${this.base}:run:${runId}:items`;
  }
  /** Regenerations per item (--regenerate-on-mismatch): item key -> how many were claimed. */
  regenerationCounts(runId: string): string {
    return `${this.base}:run:${runId}:regen-counts`;
  }
  /** Regeneration claims by the flagged image's blob name -> state (run-regenerations.ts). */
  regenerationClaims(runId: string): string {
    return `${this.base}:run:${runId}:regen-claims`;
  }
  /** Runs waiting for an item's outcome. */
  itemRuns(jobId: string): string {
    return `${this.base}:item:${jobId}:runs`;
  }
  /** Short-lived record of an item's outcome, covering the moment between settling and job removal. */
  itemDone(jobId: string): string {
    return `${this.base}:item:${jobId}:done`;
  }
}
