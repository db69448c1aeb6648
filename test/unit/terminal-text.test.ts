import { describe, expect, it } from 'vitest';
import { formatRun, formatRunList } from '../../src/cli/render-run.js';
import { formatIssue } from '../../src/manifest/manifest-issue.js';
import type { RunRecord } from '../../src/runs/run-store.js';
import { terminalText, terminalValue } from '../../src/text/terminal-text.js';

/** Anything a terminal would act on: ESC (and so every escape sequence), BEL, CSI as one C1 character, DEL, bidi controls. */
// eslint-disable-next-line no-control-regex -- the point of the test
const ACTIONABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'a\x1b]0;owned\x07b\x1b[2Jc\x9b31md\x7fe\u202etxt.exe\u2066f\u200fg\rh';

describe('terminal escape injection (issue 13, defect 7)', () => {
  it('terminalValue shows every control, C1, DEL and bidi character as an escape, line breaks included', () => {
    const shown = terminalValue(`${HOSTILE}\nnext`);
    expect(shown).not.toMatch(ACTIONABLE);
    expect(shown).not.toContain('\n');
    expect(shown).toBe('a\\u001b]0;owned\\u0007b\\u001b[2Jc\\u009b31md\\u007fe\\u202etxt.exe\\u2066f\\u200fg\\u000dh\\u000anext');
    expect(terminalValue('春のセール 最大50%オフ, हिन्दी, বাংলা')).toBe('春のセール 最大50%オフ, हिन्दी, বাংলা');
  });

  it('terminalText keeps line breaks and tabs of whole blocks, and JSON stays the same JSON', () => {
    expect(terminalText('a\tb\r\nc\nd\re\x1b[0m')).toBe('a\tb\r\nc\nd\\u000de\\u001b[0m');
    const value = { id: HOSTILE, message: 'Spring\u2028Sale' };
    const json = terminalText(JSON.stringify(value, null, 2));
    expect(json).not.toMatch(ACTIONABLE);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('manifest issues, run lists and run details print hostile values inert', () => {
    const issue = formatIssue({ file: 'm\x1b[2J.csv', line: 1, column: 4, severity: 'warning', code: 'unknown-column', message: `unknown column '${HOSTILE}' is ignored`, hint: 'fix\x1b]0;x\x07' });
    expect(issue).not.toMatch(ACTIONABLE);
    expect(issue).toContain("unknown column 'a\\u001b]0;owned\\u0007b");
    const run = {
      id: 'r1',
      manifest: HOSTILE,
      manifestPath: '/x',
      manifestSha256: 'ab'.repeat(32),
      origin: 'me@host\x1b[2J (run)',
      model: 'gpt-image-2',
      imagesPerMinute: 6,
      startedAt: 0,
      reportBlob: `reports/\x1b[2J.json`,
      total: 1,
      settled: 0,
      imagesPlanned: 1,
      imagesCreated: 0,
      imagesExisting: 0,
      itemsFailed: 0,
      itemsCancelled: 0,
      locales: { 'j\x1ba': { planned: 1, images: 0, itemsFailed: 0 } },
      failuresByCode: {},
      tokens: { textInput: 0, imageInput: 0, output: 0 },
    } as unknown as RunRecord;
    for (const text of [formatRunList([run]), formatRun(run, ['cost \x1b[31mred'])]) {
      expect(text).not.toMatch(ACTIONABLE);
      expect(text).toContain('\\u001b');
    }
  });
});
