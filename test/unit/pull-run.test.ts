import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contactSheetPath, localPath, rowSelected } from '../../src/runs/pull-run.js';
import { progressLine } from '../../src/cli/commands/pull.js';
import type { ReportRow } from '../../src/runs/report-row.js';

const row = (fields: Partial<ReportRow>): ReportRow => ({
  id: 'a',
  locale: 'ja',
  variant: 1,
  status: 'created',
  blobName: 'c/ja/a/x-v1.png',
  url: '',
  errorCode: '',
  errorMessage: '',
  attempts: 1,
  line: 2,
  model: 'gpt-image-2',
  deployment: 'd',
  size: '1024x1024',
  requestedSize: '1024x1024',
  requestId: '',
  ...fields,
});

describe('pull: where files go', () => {
  it('puts a blob at <out>/<blob name> and refuses any name that would leave --out', () => {
    expect(localPath('/tmp/out', 'spring/ja/hero/abc-v1.png')).toBe(join(resolve('/tmp/out'), 'spring', 'ja', 'hero', 'abc-v1.png'));
    for (const name of ['../etc/passwd', 'spring/../../x.png', 'spring/./x.png', '/abs/x.png', 'spring//x.png', 'Spring/X.png', 'spring\\..\\x.png']) {
      expect(() => localPath('/tmp/out', name), name).toThrow(RangeError);
    }
    expect(contactSheetPath('/tmp/out', 'r20261129t222348z-4716f7', 'zh-Hans')).toBe(join(resolve('/tmp/out'), 'contact-sheets', 'r20261129t222348z-4716f7', 'zh-hans.png'));
    expect(() => contactSheetPath('/tmp/out', '..', 'ja')).toThrow(RangeError);
  });
});

describe('pull: --locale and --status', () => {
  it('keeps a row whose locale (any case) and status or text-check status match; no filter keeps all', () => {
    expect(rowSelected(row({}), {})).toBe(true);
    expect(rowSelected(row({ locale: 'zh-Hans' }), { locales: ['zh-hans'] })).toBe(true);
    expect(rowSelected(row({ locale: 'ko' }), { locales: ['ja', 'zh-hans'] })).toBe(false);
    expect(rowSelected(row({ status: 'exists', textStatus: 'needs_review' }), { statuses: ['needs_review'] })).toBe(true);
    expect(rowSelected(row({ status: 'exists', textStatus: 'ok' }), { statuses: ['needs_review', 'created'] })).toBe(false);
    expect(rowSelected(row({ status: 'failed', blobName: '' }), { statuses: ['failed'], locales: ['ja'] })).toBe(true);
  });

  it('draws a 20-cell bar', () => {
    expect(progressLine({ done: 11, total: 44, bytes: 2 * 1024 * 1024 })).toBe('pulling [#####---------------] 11/44 files, 2.0 MB');
    expect(progressLine({ done: 0, total: 0, bytes: 0 })).toBe('pulling [####################] 0/0 files, 0.0 KB');
  });
});
