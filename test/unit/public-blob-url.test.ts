import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../src/config/parse-duration.js';
import { describeError } from '../../src/errors/describe-error.js';
import { displaySource } from '../../src/sources/source-ref.js';
import { publicBlobUrl } from '../../src/storage/public-blob-url.js';

const SAS = 'sv=2025-05-05&ss=b&srt=sco&sp=rwdlact&se=2027-01-01T00%3A00%3A00Z&sig=AbCdEf0123456789%2Bxyz%3D';

describe('URLs made for output carry no credential', () => {
  it('publicBlobUrl drops the query (a SAS) and fragment, and keeps the rest', () => {
    expect(publicBlobUrl(`https://acct.blob.core.windows.net/images/spring/ja/a-v1.png?${SAS}`)).toBe('https://acct.blob.core.windows.net/images/spring/ja/a-v1.png');
    expect(publicBlobUrl(`http://127.0.0.1:10000/devstoreaccount1/c/x.png#frag`)).toBe('http://127.0.0.1:10000/devstoreaccount1/c/x.png');
    expect(publicBlobUrl('https://acct.blob.core.windows.net/images/plain.png')).toBe('https://acct.blob.core.windows.net/images/plain.png');
  });

  it('a source image URL is shown without its SAS; a path as it is', () => {
    expect(displaySource({ kind: 'url', url: `https://acct.blob.core.windows.net/masters/m.png?${SAS}` })).toBe('https://acct.blob.core.windows.net/masters/m.png');
    expect(displaySource({ kind: 'file', path: '/data/m.png' })).toBe('/data/m.png');
  });

  it('describeError censors a SAS an error message quotes', () => {
    const text = describeError(new Error(`GET https://acct.blob.core.windows.net/c/x.png?${SAS} failed\nmore`));
    expect(text).not.toContain('AbCdEf0123456789');
    expect(text).toContain('sig=[redacted]');
  });
});

describe('parseDurationMs (report --signed-urls)', () => {
  it('reads s, m, min, h and d, and refuses bare numbers, zero and words', () => {
    expect(parseDurationMs('24h')).toBe(86_400_000);
    expect(parseDurationMs('30m')).toBe(1_800_000);
    expect(parseDurationMs('90 s')).toBe(90_000);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('7d')).toBe(604_800_000);
    for (const bad of ['24', '0h', 'tomorrow', '-1h', '']) expect(parseDurationMs(bad), bad).toBeUndefined();
  });
});
