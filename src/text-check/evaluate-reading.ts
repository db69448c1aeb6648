import { getLocale, type LocaleCode } from '../locales/registry.js';
import { characterErrorRate } from './character-error-rate.js';
import type { Script } from './max-cer.js';
import { normaliseForCheck } from './normalise-text.js';

/**
 * - `ok`: the read text matches the expected text within the script's threshold.
 * - `needs_review`: it does not (or, with no expected text, little or nothing of the script was read).
 * - `unverified`: no expected text (the model translated in the prompt) and text of the right script was read.
 * - `error`: the image could not be read (recorded, never blocks the run).
 */
export type TextCheckStatus = 'ok' | 'needs_review' | 'unverified' | 'error';

/** One image's check, as the sidecar, the report and the blob metadata record it. */
export interface TextCheckResult {
  status: TextCheckStatus;
  engine: string;
  /** The text the image should show; null when the manifest had none (the model translated). */
  expectedText: string | null;
  readText: string;
  /** Character error rate after normalisation; null without expected text. */
  cer: number | null;
  /** The threshold applied (the locale's script). */
  maxCer: number;
  /** Share of the read letters that are in the locale's script (the only check without expected text). */
  scriptShare: number;
  checkedAt: string;
  /** Readings it took: a flagged image is read again with the engines' further passes (read-and-score.ts). */
  readings?: number;
  /** A further reading (another pass, the second engine) failed: the result is the best of those before it. */
  laterReadingFailed?: string;
  error?: string;
}

const SCRIPT_PATTERNS: Readonly<Record<Script, RegExp>> = {
  Jpan: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u,
  Kore: /\p{Script=Hangul}/u,
  Deva: /\p{Script=Devanagari}/u,
  Beng: /\p{Script=Bengali}/u,
  Hans: /\p{Script=Han}/u,
  Hant: /\p{Script=Han}/u,
};

/** Without expected text, at least this share of what was read must be in the right script. */
export const MIN_SCRIPT_SHARE = 0.8;

/** Compares what an engine read with what the image should show. */
export function evaluateReading(input: { locale: LocaleCode; expected: string | undefined; read: string; engine: string; maxCer: Record<Script, number>; now?: Date }): TextCheckResult {
  const script = getLocale(input.locale).script;
  const maxCer = input.maxCer[script];
  const letters = [...normaliseForCheck(input.read)].filter((char) => /[\p{L}\p{M}\p{N}]/u.test(char));
  const inScript = letters.filter((char) => SCRIPT_PATTERNS[script].test(char) || /\p{M}/u.test(char)).length;
  const scriptShare = letters.length === 0 ? 0 : inScript / letters.length;
  const base = { engine: input.engine, readText: input.read, maxCer, scriptShare: round(scriptShare), checkedAt: (input.now ?? new Date()).toISOString() };
  const expected = input.expected?.trim();
  if (!expected) {
    return { ...base, status: scriptShare >= MIN_SCRIPT_SHARE ? 'unverified' : 'needs_review', expectedText: null, cer: null };
  }
  const cer = round(characterErrorRate(expected, input.read));
  return { ...base, status: cer <= maxCer ? 'ok' : 'needs_review', expectedText: expected, cer };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
