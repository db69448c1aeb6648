/** `2026-11-25 14:03:07Z` (UTC, to the second), or `-`: how `status` and the dashboard show a run's times. */
export function formatTimestamp(ms: number | undefined): string {
  return ms === undefined
    ? '-'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}
