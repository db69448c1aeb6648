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
      `Render the following ${language} text in the image exactly as written, character for character, in ${locale.scriptName}:`,
      `"${text}"`,
      'Do not translate, transliterate, shorten or add to it, and render no other text.',
    );
  } else {
    lines.push(
      `Translate the following message into natural, idiomatic ${language} suitable for a marketing campaign, and render the translation as the only text in the image, written in ${locale.scriptName}:`,
      `"${input.message.normalize('NFC')}"`,
      'Render only the translation: no English, no transliteration, no other text.',
    );
  }
  if (input.edit) {
    // The master already has layout, colours and imagery: the instruction is to change only the words.
    lines.unshift('This image is a master creative whose text must be localized. Replace every piece of text in it with the text below; keep the layout, composition, colours, imagery, text placement and relative text size exactly as they are, and change nothing else.');
  }
  lines.push(
    `Typography: ${TYPOGRAPHY[input.locale]}; large, bold and high-contrast against its background, placed in a clear area of the image, every character crisp and legible.`,
    `Creative direction: ${input.direction.trim() === '' ? DEFAULT_DIRECTION : input.direction.trim()}`,
  );
  if (text !== undefined && text !== '') {
    lines.push(`Context (the English source, do not render it): "${input.message.normalize('NFC')}"`);
  }
  return lines.join('\n');
}
