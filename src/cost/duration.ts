/** How long `images` take at a quota: the quota is the bottleneck, not the workers. */
export function durationAtQuotaMs(images: number, imagesPerMinute: number): number {
  if (!(imagesPerMinute > 0)) throw new RangeError(`imagesPerMinute must be positive, got ${imagesPerMinute}`);
  return (images / imagesPerMinute) * 60_000;
}

/**
 * `45 s`, `12 min`, `2 h 05 min`: seconds only while under a minute, since an estimate at a quota is
 * not precise to the second over hours; minutes are padded after hours so columns line up.
 */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
