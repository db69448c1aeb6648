import sharp from 'sharp';
import type { LocaleCode } from '../locales/registry.js';
import { LATIN_FONT, SCRIPT_FONTS, escapeMarkup } from '../text-render/script-fonts.js';

/** One image on a contact sheet, with what a reviewer needs beside it. */
export interface ContactSheetEntry {
  image: Buffer;
  id: string;
  variant: number | '';
  /** The text the image should show; '' when the model translated in the prompt. */
  expectedText: string;
  readText?: string | undefined;
  textStatus?: string | undefined;
  textCer?: number | '' | undefined;
}

const COLUMNS = 4;
const THUMB_PX = 300;
const CELL_WIDTH = 320;
const CAPTION_HEIGHT = 96;
const MARGIN = 10;
const HEADER_HEIGHT = 48;

/**
 * A PNG grid of a run's images in one locale: each thumbnail with its message id and variant, the
 * check's status and character error rate, and the expected text in the locale's Noto face (so a
 * reviewer compares the two at a glance). Flagged images get a red frame.
 */
export async function renderContactSheet(title: string, locale: LocaleCode, entries: readonly ContactSheetEntry[]): Promise<Buffer> {
  const rows = Math.max(1, Math.ceil(entries.length / COLUMNS));
  const width = COLUMNS * CELL_WIDTH + MARGIN;
  const height = HEADER_HEIGHT + rows * (THUMB_PX + CAPTION_HEIGHT + MARGIN) + MARGIN;
  const layers: sharp.OverlayOptions[] = [{ input: await label(title, LATIN_FONT, width - 2 * MARGIN, 28, '#222222', true), left: MARGIN, top: 10 }];
  for (const [index, entry] of entries.entries()) {
    const left = MARGIN + (index % COLUMNS) * CELL_WIDTH;
    const top = HEADER_HEIGHT + Math.floor(index / COLUMNS) * (THUMB_PX + CAPTION_HEIGHT + MARGIN);
    const flagged = entry.textStatus === 'needs_review' || entry.textStatus === 'error';
    layers.push({ input: { create: { width: THUMB_PX + 6, height: THUMB_PX + 6, channels: 4, background: flagged ? '#d0021b' : '#dddddd' } }, left: left - 3, top: top - 3 });
    const thumb = await sharp(entry.image).resize(THUMB_PX, THUMB_PX, { fit: 'contain', background: '#ffffff' }).flatten({ background: '#ffffff' }).png().toBuffer();
    layers.push({ input: thumb, left, top });
    const score = entry.textCer === undefined || entry.textCer === '' ? '' : ` · CER ${entry.textCer.toFixed(2)}`;
    const heading = `${entry.id}${entry.variant === '' ? '' : ` v${entry.variant}`} · ${entry.textStatus ?? 'unchecked'}${score}`;
    layers.push({ input: await label(heading, LATIN_FONT, THUMB_PX, 22, flagged ? '#d0021b' : '#222222', true), left, top: top + THUMB_PX + 6 });
    const expected = entry.expectedText || '(translated by the model)';
    layers.push({ input: await label(expected, entry.expectedText ? SCRIPT_FONTS[locale] : LATIN_FONT, THUMB_PX, 30, '#222222', false), left, top: top + THUMB_PX + 32 });
    if (entry.readText !== undefined && entry.readText !== '') {
      layers.push({ input: await label(`read: ${entry.readText.replace(/\s+/g, ' ')}`, SCRIPT_FONTS[locale], THUMB_PX, 26, '#666666', false), left, top: top + THUMB_PX + 64 });
    }
  }
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .png()
    .toBuffer();
}

/** One line of text, at most `width` x `height` (pango fits the size; a long text is cut with an ellipsis). */
async function label(text: string, font: string, width: number, height: number, colour: string, bold: boolean): Promise<Buffer> {
  const shown = [...text].length > 60 ? `${[...text].slice(0, 59).join('')}…` : text;
  const image = sharp({ text: { text: `<span foreground="${colour}">${escapeMarkup(shown)}</span>`, font: `${font}${bold ? ' Bold' : ''} 14`, width, rgba: true, wrap: 'none' } });
  const meta = await image.clone().png().toBuffer({ resolveWithObject: true });
  // Wider or taller than the cell: scale down rather than overlap the neighbours.
  if (meta.info.width <= width && meta.info.height <= height) return meta.data;
  return sharp(meta.data).resize(width, height, { fit: 'inside' }).png().toBuffer();
}
