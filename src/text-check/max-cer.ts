import { ConfigError } from '../errors/polyglyph-error.js';
import type { LocaleInfo } from '../locales/registry.js';

export type Script = LocaleInfo['script'];
const SCRIPTS: readonly Script[] = ['Jpan', 'Kore', 'Deva', 'Beng', 'Hans', 'Hant'];

/**
 * Character error rate above which an image needs review, per script. Measured on the stand-in's
 * images (docs/text-check.md): Tesseract reads clean headline text at 0-0.13 and the garbled-text
 * fault's images at 0.3 and more, in every script; 0.2 sits between the two. Chinese misreads of
 * similar characters (季/李) are the most common OCR noise on good images.
 */
export const DEFAULT_MAX_CER: Readonly<Record<Script, number>> = { Jpan: 0.2, Kore: 0.2, Deva: 0.2, Beng: 0.2, Hans: 0.2, Hant: 0.2 };

/** Reads POLYGLYPH_TEXT_CHECK_MAX_CER: `0.25` for every script, or `Hant=0.3,Deva=0.2` over the defaults. */
export function parseMaxCer(value: string | undefined): Record<Script, number> {
  const table = { ...DEFAULT_MAX_CER };
  if (value === undefined || value.trim() === '') return table;
  const invalid = (got: string): ConfigError =>
    new ConfigError(`invalid POLYGLYPH_TEXT_CHECK_MAX_CER / --text-check-max-cer: expected a number from 0 to 1, or SCRIPT=number pairs with scripts among ${SCRIPTS.join(', ')}, got '${got}'`, { hint: 'e.g. 0.2 or Hant=0.25,Deva=0.2' });
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
  for (const pair of value.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [script, n, extra] = pair.split('=');
    if (extra !== undefined || !SCRIPTS.includes(script as Script)) throw invalid(pair);
    table[script as Script] = rate(n ?? '');
  }
  return table;
}
