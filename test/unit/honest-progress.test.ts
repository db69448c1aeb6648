import { describe, expect, it } from 'vitest';
import { formatRun, localeBar, localeCounts } from '../../src/cli/render-run.js';
import { localeProgressBar } from '../../src/dashboard/pages/format.js';
import { outcomeCounts } from '../../src/runs/outcome-counts.js';
import type { LocaleProgress, RunRecord } from '../../src/runs/run-store.js';

/** Adds the counters of several item outcomes, as HINCRBY does in the run record. */
function sum(...counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const count of counts) for (const [field, value] of Object.entries(count)) total[field] = (total[field] ?? 0) + value;
  return total;
}

// A cancelled run with one failure: 2 made, 1 found stored, 1 failed, 2 cancelled, 2 still to do of 8.
const ja: LocaleProgress = { planned: 8, images: 6, itemsFailed: 1, created: 2, existing: 1, imagesFailed: 1, imagesCancelled: 2 };

describe('honest progress: created, already stored, failed, cancelled and pending look different', () => {
  it('counts how each image of a locale was resolved', () => {
    const counts = sum(
      outcomeCounts({ locale: 'ja', variants: 2, created: 2, existing: 0 }),
      outcomeCounts({ locale: 'ja', variants: 1, created: 0, existing: 1 }),
      outcomeCounts({ locale: 'ja', variants: 1, created: 0, existing: 0, failed: true, errorCode: 'content_filter' }),
      outcomeCounts({ locale: 'ja', variants: 2, created: 0, existing: 0, cancelled: true }),
    );
    expect(counts).toMatchObject({ 'locale:ja:images': 6, 'locale:ja:created': 2, 'locale:ja:existing': 1, 'locale:ja:imagesFailed': 1, 'locale:ja:imagesCancelled': 2, 'locale:ja:failed': 1 });
  });

  it('draws each kind with its own mark and never fills the bar for what was not made', () => {
    expect(localeBar(ja, 8)).toBe('[##=x--..]');
    expect(localeCounts(ja)).toBe('2 created, 1 already stored, 1 failed, 2 cancelled, 2 pending of 8 images');
    // Before this, a failed or cancelled image counted as done: 6/8 of the bar for 3 images stored.
    expect(localeBar({ ...ja, created: 8, existing: 0, imagesFailed: 0, imagesCancelled: 0, images: 8 }, 8)).toBe('[########]');
  });

  it('status <run> shows the legend and the failures by code', () => {
    const run = {
      id: 'r1',
      manifest: 'm.csv',
      manifestPath: '/m.csv',
      manifestSha256: '0'.repeat(64),
      origin: 'me@host (run)',
      model: 'gpt-image-2',
      imagesPerMinute: 6,
      startedAt: 0,
      cancelledAt: 1,
      total: 6,
      settled: 4,
      imagesPlanned: 8,
      imagesCreated: 2,
      imagesExisting: 1,
      itemsFailed: 1,
      itemsCancelled: 2,
      textNeedsReview: 0,
      locales: { ja },
      failuresByCode: { content_filter: 1 },
      tokens: { textInput: 0, imageInput: 0, output: 0, textOutput: 0 },
    } satisfies RunRecord;
    const text = formatRun(run);
    expect(text).toContain(`ja  ${localeBar(ja)} 2 created, 1 already stored, 1 failed, 2 cancelled, 2 pending of 8 images`);
    expect(localeBar(ja)).toBe('[######===xxx------......]');
    expect(text).toContain('# created  = already stored  x failed  - cancelled  . pending');
    expect(text).toContain('failures  content_filter 1');
  });

  it('the dashboard draws the same segments (no inline style: the CSP forbids it)', () => {
    const bar = String(localeProgressBar(ja));
    for (const segment of ['seg-created', 'seg-existing', 'seg-imagesFailed', 'seg-imagesCancelled']) expect(bar).toContain(segment);
    expect(bar).toContain('2 created, 1 stored, 1 failed, 2 cancelled, 2 pending');
    expect(bar).not.toContain('style=');
  });
});
