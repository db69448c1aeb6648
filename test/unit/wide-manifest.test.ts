import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldPosition, type CsvRecord } from '../../src/manifest/csv-records.js';
import { validateManifest } from '../../src/manifest/validate-manifest.js';

const DEFAULTS = { size: '1024x1024', quality: 'medium', format: 'png', variants: 1 } as const;

/**
 * Issue 13, defect 8: each unknown-column warning rescanned the record for its column, so 50,000
 * columns took 97 s. No clock here: the sizes below finished only after minutes before, and the
 * test's time limit is what fails; the figures are in the issue's closing note.
 */
describe('wide manifests are validated in linear time', () => {
  it('50,000 unknown columns make one warning that names the first and counts the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-wide-'));
    const extra = Array.from({ length: 50_000 }, (_, index) => `extra${index}`);
    const path = join(dir, 'wide.csv');
    await writeFile(path, `id,message,locales,${extra.join(',')}\nhero,Spring Sale,ja,${extra.map(() => 'x').join(',')}\n`);
    const summary = await validateManifest(path, DEFAULTS);
    expect(summary).toMatchObject({ rows: 1, items: 1, errors: 0, warnings: 1, truncatedIssues: 0 });
    expect(summary.issues).toHaveLength(1);
    expect(summary.issues[0]).toMatchObject({ line: 1, column: 20, severity: 'warning', code: 'unknown-column' });
    expect(summary.issues[0]!.message).toBe("50000 unknown columns are ignored: 'extra0', 'extra1', 'extra2', 'extra3', 'extra4' and 49995 more");
  });

  it('a row with 30,000 faulty fields reports each at its own column, the record scanned once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-wide-'));
    const names = Array.from({ length: 30_000 }, (_, index) => `c${index}`);
    const path = join(dir, 'faulty.csv');
    // Every extra cell holds a control character (an error, reported where it is).
    await writeFile(path, `id,message,locales,${names.join(',')}\nhero,Hi,ja,${names.map(() => 'a\x01').join(',')}\n`);
    const summary = await validateManifest(path, DEFAULTS);
    expect(summary.errors).toBe(30_000);
    const controls = summary.issues.filter((issue) => issue.code === 'control-character');
    // Field k (k >= 3) starts after "hero,Hi,ja," and k - 3 cells of 3 characters ("a\x01,").
    for (const issue of controls.slice(0, 5)) expect(issue.line).toBe(2);
    expect(controls.map((issue) => issue.column).slice(0, 3)).toEqual([12, 15, 18]);
  });

  it('fieldPosition: fields, quoted newlines and a field past the end, as before', () => {
    const record: CsvRecord = { fields: ['a', 'b\nc', 'd'], raw: 'a,"b\nc",d\n', line: 4 };
    expect([0, 1, 2, 3, 7].map((index) => fieldPosition(record, index))).toEqual([
      { line: 4, column: 1 },
      { line: 4, column: 3 },
      { line: 5, column: 4 },
      { line: 5, column: 5 },
      { line: 5, column: 5 },
    ]);
  });
});
