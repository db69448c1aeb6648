import type { OutcomeCounts } from '../runs/outcome-counts.js';
import type { ReportRow } from '../runs/report-row.js';
import type { ImageJobData } from './image-job.js';

/** Name of the text-check job type; the processor lives in jobs/check-text.ts. */
export const CHECK_TEXT_JOB = 'check-text';

/**
 * Payload of one check-text job: the images an image job stored for its item, to be read back
 * before the item settles. The item's report rows and counters travel with it: the check adds its
 * columns and counters, then settles the item in every run waiting for it.
 */
export interface TextCheckJobData {
  v: 1;
  /** The generate-image job (the item) this check settles. */
  itemJobId: string;
  /** That job's payload: locale, expected text, run. */
  image: ImageJobData;
  rows: ReportRow[];
  counts: OutcomeCounts;
  /**
   * When this check was first taken up again after its worker stopped holding it (killed, crashed,
   * lost its lock): caps how long it may keep being recovered (stall-recovery.ts).
   */
  stalledSince?: number;
  /** BullMQ's stall count when the last recovery was recorded: each recovery is logged once (stall-recovery.ts). */
  stalledSeen?: number;
}

/** One check job per item; removed when done, so the same item checked in a later run gets a new one. */
export function textCheckJobId(itemJobId: string): string {
  return `chk.${itemJobId}`;
}
