// The CLI's last resort (bin/polyglyph.js, exit 70): an error main() did not expect is printed as one
// redacted line; the stack, redacted too, only when debugging was asked for.
import { describe, expect, it } from 'vitest';
import { reportInternalError } from '../../workers/polyglyph.js';

/** An SDK-style error quoting a SAS URL and an account key, with a stack. */
function leakyError(): Error {
  const error = new Error(
    'request to https://acct.blob.core.windows.net/c/a.png?sv=2024&sig=SECRETSIG123456 failed; AccountKey=SECRETKEY0123456789==\nrequest: { headers: { authorization: SharedKey acct:SECRETAUTH } }',
  );
  error.stack = `Error: ${error.message}\n    at leak (file:///x.js:1:1) AccountKey=SECRETKEY0123456789==\n    at main (file:///y.js:2:2)`;
  return error;
}

function printed(error: unknown, env: NodeJS.ProcessEnv): { code: number; text: string } {
  let text = '';
  const code = reportInternalError(error, { write: (chunk: string | Uint8Array) => ((text += String(chunk)), true) }, env);
  return { code, text };
}

describe('reportInternalError', () => {
  it('prints one line, no stack, no credential, and returns 70', () => {
    const { code, text } = printed(leakyError(), {});
    expect(code).toBe(70);
    expect(text.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect(text).toMatch(
      /^polyglyph: internal error \(a bug, please report it\): request to https:\/\/acct\.blob\.core\.windows\.net\/c\/a\.png\?sv=2024&sig=\[redacted\] failed; AccountKey=\[redacted\] \(set POLYGLYPH_DEBUG=1 for the stack\)\n$/,
    );
    expect(text).not.toMatch(/SECRET|\s+at /);
  });

  it('adds the stack, redacted, with POLYGLYPH_DEBUG=1 or POLYGLYPH_LOG_LEVEL=debug', () => {
    for (const env of [{ POLYGLYPH_DEBUG: '1' }, { POLYGLYPH_LOG_LEVEL: 'debug' }]) {
      const { text } = printed(leakyError(), env);
      expect(text).toMatch(/\n {4}at leak \(file:\/\/\/x\.js:1:1\) AccountKey=\[redacted\]\n {4}at main/);
      expect(text).not.toContain('SECRET');
    }
    expect(printed(leakyError(), { POLYGLYPH_DEBUG: '0' }).text).not.toMatch(/\s+at /);
  });

  it('copes with a thrown non-Error and escapes terminal controls', () => {
    const { text } = printed('boom \u001b]0;pwned\u0007 password=hunter2hunter2', {});
    expect(text).toBe('polyglyph: internal error (a bug, please report it): boom \\u001b]0;pwned\\u0007 password=[redacted] (set POLYGLYPH_DEBUG=1 for the stack)\n');
  });
});
