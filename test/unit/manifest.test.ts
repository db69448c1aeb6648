import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors/polyglyph-error.js';
import { formatIssue } from '../../src/manifest/manifest-issue.js';
import type { ManifestItem } from '../../src/manifest/manifest-item.js';
import type { ManifestDefaults } from '../../src/manifest/manifest-options.js';
import { campaignFromFileName, readManifest } from '../../src/manifest/read-manifest.js';
import { SeenIds } from '../../src/manifest/seen-ids.js';
import { validateManifest } from '../../src/manifest/validate-manifest.js';

const FIXTURES = 'test/fixtures/manifests';
const DEFAULTS: ManifestDefaults = { size: '1024x1024', quality: 'medium', format: 'png', variants: 1 };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-manifest-'));
});

async function items(path: string, defaults = DEFAULTS): Promise<ManifestItem[]> {
  const found: ManifestItem[] = [];
  for await (const event of readManifest(path, defaults)) if (event.type === 'item') found.push(event.item);
  return found;
}

async function write(name: string, text: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('manifest validation', () => {
  it('reports every problem of a broken manifest with its line and column', async () => {
    const summary = await validateManifest(`${FIXTURES}/broken.csv`, DEFAULTS);
    expect(summary.issues.map((issue) => [issue.line, issue.column, issue.severity, issue.code])).toEqual([
      [1, 57, 'warning', 'unknown-column'],
      [3, 1, 'error', 'invalid-id'],
      [4, 1, 'error', 'duplicate-id'],
      [5, 17, 'error', 'unknown-locale'],
      [6, 21, 'error', 'text-for-unrequested-locale'],
      [7, 20, 'error', 'invalid-size'],
      [8, 24, 'error', 'invalid-quality'],
      [9, 24, 'error', 'invalid-format'],
      [10, 27, 'error', 'invalid-variants'],
      [11, 15, 'error', 'missing-message'],
      [12, 16, 'error', 'ragged-row'],
      [13, 20, 'warning', 'size-normalised'],
    ]);
    expect(summary).toMatchObject({ rows: 12, items: 2, images: 2, errors: 10, warnings: 2, truncatedIssues: 0 });
    const [, , duplicate, unknownLocale] = summary.issues;
    expect(formatIssue(duplicate!)).toBe(`${FIXTURES}/broken.csv:4:1: error: the id 'ok-1' is already used on line 2 (duplicate-id); fix: give each row its own id`);
    expect(unknownLocale!.hint).toContain('zh-Hant');
    expect(formatIssue(summary.issues.at(-1)!)).toBe(
      `${FIXTURES}/broken.csv:13:20: warning: size 4096x4096 is outside gpt-image-2's limits; it will be requested as 2880x2880 (size-normalised); fix: 4096x4096 has an edge above 3840; write 2880x2880 (or another valid size) to ask for it directly`,
    );
  });

  it('keeps both sizes of a row: the one to send and the one the manifest asked for', async () => {
    const path = await write(
      'sizes.csv',
      'id,message,locales,size\nexact,Hi,ja,1536x1024\nbig,Hi,ja,4096x4096\ntier,Hi,ja,Large Landscape\nbucket,Hi,ja,tokens:64 16:9\nauto,Hi,ja,auto\ndefault,Hi,ja,\n',
    );
    const found = await items(path, { ...DEFAULTS, size: 'standard 16:9' });
    expect(found.map((item) => [item.id, item.size, item.requestedSize])).toEqual([
      ['exact', '1536x1024', '1536x1024'],
      ['big', '2880x2880', '4096x4096'],
      ['tier', '3520x2352', 'large landscape'],
      ['bucket', '3056x1712', 'tokens:64 16:9'],
      ['auto', 'auto', 'auto'],
      ['default', '2048x1152', 'standard 16:9'],
    ]);
    // a normalised default is reported once by the CLI, not on every row that uses it
    const summary = await validateManifest(await write('default-size.csv', 'id,message,locales\na,Hi,ja\nb,Hi,ja\n'), { ...DEFAULTS, size: '4096x4096' });
    expect(summary).toMatchObject({ items: 2, errors: 0, warnings: 0 });
  });

  it('checks compression, background and moderation cells, alone and against the format', async () => {
    const path = await write(
      'options.csv',
      [
        'id,message,locales,format,compression,background,moderation',
        'ok-jpeg,Hi,ja,jpeg,60,opaque,low',
        'ok-webp,Hi,ja,webp,0,transparent,auto',
        'ok-png,Hi,ja,png,,transparent,',
        'ok-none,Hi,ja,,,,',
        'png-compression,Hi,ja,png,50,,',
        'compression-101,Hi,ja,jpeg,101,,',
        'compression-text,Hi,ja,jpeg,high,,',
        'jpeg-transparent,Hi,ja,jpeg,,transparent,',
        'bad-background,Hi,ja,,,white,',
        'bad-moderation,Hi,ja,,,,strict',
      ].join('\n'),
    );
    const summary = await validateManifest(path, DEFAULTS);
    expect(summary.issues.map((issue) => [issue.line, issue.column, issue.code])).toEqual([
      [3, 15, 'format-not-on-azure'],
      [6, 27, 'compression-for-png'],
      [7, 28, 'invalid-compression'],
      [8, 29, 'invalid-compression'],
      [9, 30, 'background-needs-alpha'],
      [10, 24, 'invalid-background'],
      [11, 25, 'invalid-moderation'],
    ]);
    const found = await items(path);
    expect(found.map(({ id, compression, background, moderation }) => ({ id, compression, background, moderation }))).toEqual([
      { id: 'ok-jpeg', compression: 60, background: 'opaque', moderation: 'low' },
      { id: 'ok-png', compression: undefined, background: 'transparent', moderation: undefined },
      { id: 'ok-none', compression: undefined, background: undefined, moderation: undefined },
    ]);
    // unset parameters are absent, not undefined-valued, so they stay out of the request and the identity
    expect(Object.keys(found[2]!)).not.toContain('compression');
  });

  it('applies flag defaults for compression (jpeg and webp rows only), background and moderation', async () => {
    const path = await write('option-defaults.csv', 'id,message,locales,format,background\npng,Hi,ja,png,\njpeg,Hi,ja,jpeg,opaque\nwebp,Hi,ja,webp,\njpeg-default-transparent,Hi,ja,jpeg,\n');
    const defaults: ManifestDefaults = { ...DEFAULTS, compression: 70, background: 'transparent', moderation: 'low' };
    const summary = await validateManifest(path, defaults);
    // the flag's transparent background cannot apply to a jpeg row: reported at the row's format
    expect(summary.issues.map((issue) => [issue.line, issue.column, issue.code])).toEqual([
      [4, 12, 'format-not-on-azure'],
      [5, 32, 'background-needs-alpha'],
    ]);
    expect(summary.issues[1]!.message).toContain('from --background');
    const found = await items(path, defaults);
    expect(found.map(({ id, compression, background, moderation }) => ({ id, compression, background, moderation }))).toEqual([
      { id: 'png', compression: undefined, background: 'transparent', moderation: 'low' },
      { id: 'jpeg', compression: 70, background: 'opaque', moderation: 'low' },
    ]);
  });

  it('reads BOM, CRLF, quoted commas and quoted line breaks as normal input', async () => {
    const found = await items(`${FIXTURES}/bom-crlf.csv`);
    expect(found).toEqual([
      {
        line: 2,
        id: 'm1',
        message: 'Hello, world',
        locales: ['ja', 'ko'],
        texts: {},
        prompt: 'Line one\nline two',
        size: '1024x1024',
        requestedSize: '1024x1024',
        quality: 'medium',
        format: 'png',
        variants: 1,
        campaign: 'bom-crlf',
      },
      expect.objectContaining({ line: 5, id: 'm2', locales: ['zh-Hant'], prompt: '' }),
    ]);
  });

  it('stops at an unterminated quote, naming the line where the record starts, after reporting what came before', async () => {
    const summary = await validateManifest(`${FIXTURES}/unterminated-quote.csv`, DEFAULTS);
    expect(summary.items).toBe(1);
    expect(summary.issues).toEqual([expect.objectContaining({ line: 3, column: 1, code: 'csv-syntax', severity: 'error' })]);
    expect(summary.issues[0]!.message).toContain('never closed');
  });

  it('rejects control characters and bytes that are not UTF-8', async () => {
    const summary = await validateManifest(`${FIXTURES}/bad-bytes.csv`, DEFAULTS);
    expect(summary.issues.map((issue) => [issue.line, issue.column, issue.code])).toEqual([
      [2, 4, 'control-character'],
      [3, 4, 'invalid-utf8'],
    ]);
  });

  it('keeps exact line numbers across read chunks, CRLF and multi-line fields', async () => {
    const rows = ['id,message,locales,prompt'];
    const expected: Array<[string, number]> = [];
    let line = 2;
    for (let i = 0; i < 3_000; i++) {
      const multiline = i % 7 === 0;
      rows.push(`r${i},"Message ${i}, with a comma",ja,"${multiline ? 'first\r\nsecond\r\nthird' : 'one line'} ${'x'.repeat(i % 50)}"`);
      expected.push([`r${i}`, line]);
      line += multiline ? 3 : 1;
      if (i % 11 === 0) {
        rows.push('');
        line++;
      }
    }
    const path = await write('chunks.csv', `\ufeff${rows.join('\r\n')}\r\n`);
    const found = await items(path);
    expect(found.map((item) => [item.id, item.line])).toEqual(expected);
    expect(found[7]!.prompt).toBe('first\nsecond\nthird xxxxxxx');
  });

  it('applies defaults: locales from the flag, campaign from the file name, column names in any case', async () => {
    const path = await write('Spring Sale (v2).csv', 'ID,Message,Variants\nm1,Hello,3\n');
    const [item] = await items(path, { ...DEFAULTS, locales: ['ko', 'bn'] });
    expect(item).toMatchObject({ id: 'm1', locales: ['ko', 'bn'], variants: 3, campaign: 'spring-sale-v2' });
    expect(campaignFromFileName('/x/???.csv')).toBe('manifest');
  });

  it('reports missing required columns once, on the header', async () => {
    const summary = await validateManifest(await write('no-message.csv', 'id,text\na,b\nc,d\n'), DEFAULTS);
    expect(summary.issues.map((issue) => [issue.line, issue.code])).toEqual([
      [1, 'unknown-column'],
      [1, 'missing-column'],
      [1, 'missing-column'],
    ]);
    expect(summary).toMatchObject({ rows: 2, items: 0, errors: 2 });
  });

  it('counts every issue but keeps the first thousand', async () => {
    const rows = ['id,message,locales', ...Array.from({ length: 1_500 }, (_, i) => `m${i},Hello,fr`)];
    const summary = await validateManifest(await write('many.csv', rows.join('\n')), DEFAULTS);
    expect(summary).toMatchObject({ rows: 1_500, errors: 1_500, truncatedIssues: 500 });
    expect(summary.issues).toHaveLength(1_000);
  });

  it('says clearly when the file is missing or empty', async () => {
    await expect(validateManifest(join(dir, 'nope.csv'), DEFAULTS)).rejects.toThrow(InputError);
    await expect(validateManifest(join(dir, 'nope.csv'), DEFAULTS)).rejects.toThrow(/no such file/);
    const summary = await validateManifest(await write('empty.csv', ''), DEFAULTS);
    expect(summary.issues).toEqual([expect.objectContaining({ code: 'empty-manifest', line: 1 })]);
  });
});

describe('SeenIds', () => {
  it('finds every repeat and no false ones among 200,000 ids', () => {
    const seen = new SeenIds();
    let repeats = 0;
    for (let i = 0; i < 200_000; i++) if (seen.add(`message-${i}`, i + 2) !== undefined) repeats++;
    expect(repeats).toBe(0);
    expect(seen.size).toBe(200_000);
    expect(seen.add('message-0', 999)).toBe(2);
    expect(seen.add('message-199999', 999)).toBe(200_001);
    expect(seen.add('Message-0', 999)).toBeUndefined(); // ids are case-sensitive
  });
});
