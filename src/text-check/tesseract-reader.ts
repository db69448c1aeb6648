import { spawn } from 'node:child_process';
import type { LocaleCode } from '../locales/registry.js';
import { ConfigError } from '../errors/polyglyph-error.js';
import { greyPage, textLines, wholePage } from './tesseract-pages.js';
import type { TextReader, TextReading } from './text-reader.js';

/** Tesseract's trained data per locale (Debian: tesseract-ocr-jpn, -kor, -hin, -ben, -chi-sim, -chi-tra). */
export const TESSERACT_LANGUAGES: Readonly<Record<LocaleCode, string>> = {
  ja: 'jpn',
  ko: 'kor',
  hi: 'hin',
  bn: 'ben',
  'zh-Hans': 'chi_sim',
  'zh-Hant': 'chi_tra',
};

export interface TesseractReaderOptions {
  /** The `tesseract` executable. Default `tesseract` (on PATH). */
  command?: string;
  /**
   * Page segmentation mode (`--psm`): 6 reads the page as one block of text, 3 looks for text blocks
   * first. Default 6: on the stand-in's images 3 found no text at all in some Korean and Bengali ones.
   */
  psm?: number;
  /**
   * Longest edge the image is scaled down to before OCR: headline text stays far above the 20-30 px
   * Tesseract reads best, a 4K page costs no more than a 1K one, and CJK read better. Default 800.
   */
  maxEdgePx?: number;
  /** How long one OCR may take before it is abandoned. Default 60,000 ms. */
  timeoutMs?: number;
}

/**
 * Reads text with the Tesseract CLI (one process per image, `-l` by locale). The image is made grey,
 * scaled down, and inverted when it is mostly dark, since Tesseract reads dark text on a light page
 * best and marketing images often carry light text on a dark ground. OMP_THREAD_LIMIT=1: on a few cores
 * several single-threaded OCRs side by side beat one multi-threaded OCR (Tesseract's own advice).
 */
export class TesseractReader implements TextReader {
  readonly engine = 'tesseract';
  /** 0: the whole page, thresholded; 1: line by line; 2: the whole page in grey (tesseract-pages.ts). */
  readonly passes = 3;
  private readonly command: string;
  private readonly psm: number;
  private readonly maxEdgePx: number;
  private readonly timeoutMs: number;

  constructor(options: TesseractReaderOptions = {}) {
    this.command = options.command ?? 'tesseract';
    this.psm = options.psm ?? 6;
    this.maxEdgePx = options.maxEdgePx ?? 800;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async read(image: Buffer, locale: LocaleCode, options: { signal?: AbortSignal; pass?: number } = {}): Promise<TextReading> {
    const language = TESSERACT_LANGUAGES[locale];
    const ocr = (page: Buffer, psm: number): Promise<string> =>
      run(this.command, ['stdin', 'stdout', '-l', language, '--psm', String(psm), '--dpi', '150'], page, { timeoutMs: this.timeoutMs, signal: options.signal, language }).then((text) => text.trim());
    const pass = options.pass ?? 0;
    if (pass === 1) {
      // One line at a time (--psm 7: a single text line), in order, joined by line breaks.
      const lines = await textLines(image, this.maxEdgePx);
      const texts: string[] = [];
      for (const line of lines) texts.push(await ocr(line, 7));
      return { text: texts.filter(Boolean).join('\n'), engine: this.engine };
    }
    const page = pass === 2 ? await greyPage(image, this.maxEdgePx) : await wholePage(image, this.maxEdgePx);
    return { text: await ocr(page, this.psm), engine: this.engine };
  }
}

function run(command: string, args: string[], input: Buffer, options: { timeoutMs: number; signal?: AbortSignal | undefined; language: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OMP_THREAD_LIMIT: '1' }, signal: options.signal });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 4000) err += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') {
        reject(
          new ConfigError(`the text check needs Tesseract, and '${command}' was not found`, {
            hint: 'install it: apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-kor tesseract-ocr-hin tesseract-ocr-ben tesseract-ocr-chi-sim tesseract-ocr-chi-tra (see docs/text-check.md)',
          }),
        );
      } else reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      if (/Failed loading language|Error opening data file/.test(err)) {
        return reject(new ConfigError(`Tesseract has no '${options.language}' language data`, { hint: `install tesseract-ocr-${options.language.replace('_', '-')} (see docs/text-check.md)` }));
      }
      reject(new Error(`tesseract ${signal ? `was killed (${signal}, after ${options.timeoutMs} ms?)` : `exited with ${code}`}: ${err.trim().split('\n').slice(-2).join(' ')}`));
    });
    child.stdin.end(input);
  });
}
