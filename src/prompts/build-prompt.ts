import { getLocale, type LocaleCode } from '../locales/registry.js';
import { TYPOGRAPHY } from './typography.js';

export interface PromptInput {
  /** The source message. */
  message: string;
  locale: LocaleCode;
  /** Exact localized text to render verbatim; when absent the model is asked to translate. */
  text?: string | undefined;
  /** Creative direction from the manifest's `prompt` column; '' for none. */
  direction: string;
  /** Localizing a master creative (images edits): replace its text, keep everything else. */
  edit?: boolean;
}

/** gpt-image-2 accepts prompts up to 32,000 characters. */
export const MAX_PROMPT_CHARS = 32_000;

const DEFAULT_DIRECTION = 'A clean, modern marketing visual with generous empty space around the text and imagery that fits the message.';

/**
 * Builds the one prompt for a (message, locale). Deterministic: the same input gives the same prompt,
 * byte for byte, because the prompt is part of the image's identity (job id, blob name).
 * Follows the documented advice for text in images: quote the literal text, name the language and
 * script, state typeface, size, colour and placement.
 */
export function buildPrompt(input: PromptInput): string {
  const locale = getLocale(input.locale);
  const language = `${locale.englishName} (${locale.nativeName})`;
  const text = input.text?.normalize('NFC');
  const lines: string[] = [];
  if (text !== undefined && text !== '') {
    lines.push(
      `Render the following ${language} text in the image exactly as written, character for character, in ${locale.scriptName}${escapedNote(text)}:`,
      quoted(text),
      'Do not translate, transliterate, shorten or add to it, and render no other text.',
    );
  } else {
    lines.push(
      `Translate the following message into natural, idiomatic ${language} suitable for a marketing campaign, and render the translation as the only text in the image, written in ${locale.scriptName}${escapedNote(input.message)}:`,
      quoted(input.message.normalize('NFC')),
      'Render only the translation: no English, no transliteration, no other text.',
    );
  }
  if (input.edit) {
    // The master already has layout, colours and imagery: the instruction is to change only the words.
    lines.unshift(
      'This image is a master creative whose text must be localized. Replace every piece of text in it with the text below; keep the layout, composition, colours, imagery, text placement and relative text size exactly as they are, and change nothing else.',
    );
  }
  lines.push(
    `Typography: ${TYPOGRAPHY[input.locale]}; large, bold and high-contrast against its background, placed in a clear area of the image, every character crisp and legible.`,
    `Creative direction: ${input.direction.trim() === '' ? DEFAULT_DIRECTION : input.direction.trim()}`,
  );
  if (text !== undefined && text !== '') {
    lines.push(`Context (the English source, do not render it${escapedNote(input.message, true)}): ${quoted(input.message.normalize('NFC'))}`);
  }
  return lines.join('\n');
}

/**
 * Manifest text in double quotes, so the model sees where it starts and ends. Text holding a double
 * quote could close the quote early and go on as instructions of its own: such text is written as a
 * JSON string (`\"` for a quote, `\\` for a backslash, `\n` for a line break), which no character of
 * the text can close. Text without a double quote is quoted as it is, byte for byte as before: the
 * prompt is part of every image's identity, and existing blob names must not change.
 */
function quoted(text: string): string {
  return text.includes('"') ? JSON.stringify(text) : `"${text}"`;
}

/** Tells the model how to read a quote written as a JSON string (see `quoted`); nothing otherwise. */
function escapedNote(text: string, inParentheses = false): string {
  if (!text.includes('"')) return '';
  const note = 'written as a JSON string: \\" stands for a quotation mark, \\n for a line break';
  return inParentheses ? `; ${note}` : ` (${note})`;
}
