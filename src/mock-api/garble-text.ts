import { createHash } from 'node:crypto';
import { characterErrorRate } from '../text-check/character-error-rate.js';

/** Characters of other scripts that an image model mixes in when it gets a script wrong. */
const WRONG_SCRIPT = ['A', 'x', 'Ж', 'Ω', 'Q', 'R', 'ñ', 'Z', 'Д', 'λ'];

/** How far a garbled text is from the original (character error rate, as the text check measures it). */
export const TARGET_CER = 0.4;

/**
 * What the `garbled-text` fault does to the text before it is drawn, the way image models get text
 * wrong: characters dropped, neighbours swapped, characters replaced by another script's, until the
 * text is TARGET_CER from the original, so a garbled image differs from the expected text well
 * beyond OCR noise. Deterministic in `seed`, so a test can reproduce it.
 */
export function garbleText(text: string, seed: string): string {
  const chars = [...text.normalize('NFC')];
  const letters = chars.map((char, index) => (/[\p{L}\p{M}\p{N}]/u.test(char) ? index : -1)).filter((index) => index >= 0);
  if (letters.length === 0) return `${text}${WRONG_SCRIPT[0]}`;
  // Edits can undo each other (a swap back): keep editing until the text is that far from the original.
  const maxEdits = letters.length * 3;
  let state = createHash('sha256').update(seed).digest();
  let draws = 0;
  const draw = (bound: number): number => {
    if (draws * 4 + 4 > state.length) {
      state = createHash('sha256').update(state).digest();
      draws = 0;
    }
    return state.readUInt32BE(4 * draws++) % bound;
  };
  const out = [...chars];
  for (let edit = 0; edit < maxEdits && characterErrorRate(text, out.join('')) < TARGET_CER; edit += 1) {
    const positions = out.map((char, index) => (/[\p{L}\p{N}]/u.test(char) ? index : -1)).filter((index) => index >= 0);
    if (positions.length === 0) break;
    const at = positions[draw(positions.length)]!;
    const kind = draw(3);
    if (kind === 0 && positions.length > 1) {
      out.splice(at, 1);
    } else if (kind === 1 && at + 1 < out.length && out[at] !== out[at + 1]) {
      [out[at], out[at + 1]] = [out[at + 1]!, out[at]!];
    } else {
      out[at] = WRONG_SCRIPT[draw(WRONG_SCRIPT.length)]!;
    }
  }
  const garbled = out.join('');
  return garbled === text ? `${garbled}${WRONG_SCRIPT[0]}` : garbled;
}
