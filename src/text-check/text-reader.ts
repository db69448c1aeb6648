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
  read(image: Buffer, locale: LocaleCode, options?: { signal?: AbortSignal }): Promise<TextReading>;
}
