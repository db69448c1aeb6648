import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by start time and is safe in blob metadata, index tags and Redis keys:
 * `r20261125t051200z-3fa9c1`.
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'z')
    .toLowerCase();
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}
