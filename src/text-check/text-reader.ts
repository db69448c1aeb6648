import type { LocaleCode } from '../locales/registry.js';

/** The text an engine read in an image. */
export interface TextReading {
  text: string;
  /** `tesseract` or `vision:<deployment>`. */
  engine: string;
}

/** An engine that reads the text in an image (OCR, or a vision model asked to transcribe). */
export interface TextReader {
  readonly engine: string;
  /**
   * Ways this engine can read an image (0 .. passes-1), tried in turn while the reading is flagged
   * (read-and-score.ts): pass 0 is the usual one, later ones prepare the page differently. Default 1.
   */
  readonly passes?: number;
  read(image: Buffer, locale: LocaleCode, options?: { signal?: AbortSignal; pass?: number }): Promise<TextReading>;
}
