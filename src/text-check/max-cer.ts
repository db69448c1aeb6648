import { ConfigError } from '../errors/polyglyph-error.js';
import type { LocaleInfo } from '../locales/registry.js';

export type Script = LocaleInfo['script'];
const SCRIPTS: readonly Script[] = ['Jpan', 'Kore', 'Deva', 'Beng', 'Hans', 'Hant'];

/**
 * Character error rate above which an image needs review, per script. Measured on 120 stand-in
 * images of samples/six-scripts.csv (docs/text-check.md): Tesseract read 101 of 104 good images at
 * 0-0.25 in every script (misreads of digits and %, 季/李, stray marks from the background) and
 * every garbled one at 0.41 or more; 0.3 sits between the two.
 */
export const DEFAULT_MAX_CER: Readonly<Record<Script, number>> = { Jpan: 0.3, Kore: 0.3, Deva: 0.3, Beng: 0.3, Hans: 0.3, Hant: 0.3 };

/** Reads POLYGLYPH_TEXT_CHECK_MAX_CER: `0.25` for every script, or `Hant=0.3,Deva=0.2` over the defaults. */
export function parseMaxCer(value: string | undefined): Record<Script, number> {
  const table = { ...DEFAULT_MAX_CER };
  if (value === undefined || value.trim() === '') return table;
  const invalid = (got: string): ConfigError =>
    new ConfigError(`invalid POLYGLYPH_TEXT_CHECK_MAX_CER / --text-check-max-cer: expected a number from 0 to 1, or SCRIPT=number pairs with scripts among ${SCRIPTS.join(', ')}, got '${got}'`, {
      hint: 'e.g. 0.2 or Hant=0.25,Deva=0.2',
    });
  const rate = (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !(n >= 0 && n <= 1)) throw invalid(value);
    return n;
  };
  if (!value.includes('=')) {
    const n = rate(value);
    for (const script of SCRIPTS) table[script] = n;
    return table;
  }
  for (const pair of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [script, n, extra] = pair.split('=');
    if (extra !== undefined || !SCRIPTS.includes(script as Script)) throw invalid(pair);
    table[script as Script] = rate(n ?? '');
  }
  return table;
}
