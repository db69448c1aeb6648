import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/runs/report-csv.js';
import { assertValidMetadata, assertValidTags } from '../../src/storage/blob-metadata.js';
import { imageBlobName } from '../../src/storage/blob-name.js';

const parts = { campaign: 'Spring_Sale', locale: 'zh-Hans' as const, messageId: 'Hero.01', inputSha256: 'ab'.repeat(32), variant: 2, format: 'jpeg' as const };

describe('imageBlobName', () => {
  it('derives a lowercase [a-z0-9/._-] name from the inputs', () => {
    expect(imageBlobName(parts)).toBe('spring_sale/zh-hans/hero.01/abababababababab-v2.jpg');
  });
  it('changes when an input hash changes and not otherwise', () => {
    expect(imageBlobName(parts)).toBe(imageBlobName({ ...parts }));
    expect(imageBlobName({ ...parts, inputSha256: 'cd'.repeat(32) })).not.toBe(imageBlobName(parts));
  });
  it("refuses names over Azure's 1,024 characters", () => {
    expect(() => imageBlobName({ ...parts, messageId: 'x'.repeat(1100) })).toThrow(/1024/);
  });
});

describe('metadata and tag rules Azurite does not enforce', () => {
  it('rejects non-ASCII metadata values', () => {
    expect(() => assertValidMetadata({ message: '春のセール' })).toThrow(/ASCII/);
  });
  it('rejects metadata over 8 KiB and invalid names', () => {
    expect(() => assertValidMetadata({ big: 'x'.repeat(8200) })).toThrow(/8192/);
    expect(() => assertValidMetadata({ 'bad-name': 'x' })).toThrow(/identifier/);
  });
  it('accepts the normal set', () => {
    expect(() => assertValidMetadata({ locale: 'ja', script: 'Jpan', inputsha256: 'ab'.repeat(32) })).not.toThrow();
  });
  it('rejects tag values with characters Azure refuses, and more than 10 tags', () => {
    expect(() => assertValidTags({ campaign: 'spring sale!' })).toThrow(/campaign/);
    expect(() => assertValidTags(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v'])))).toThrow(/10/);
  });
});

describe('report CSV cells', () => {
  it('quotes per RFC 4180 and neutralises formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell(3)).toBe('3');
  });
});
