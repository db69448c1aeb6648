import { describe, expect, it } from 'vitest';
import type { LocaleCode } from '../../src/locales/registry.js';
import { evaluateReading } from '../../src/text-check/evaluate-reading.js';
import { parseMaxCer } from '../../src/text-check/max-cer.js';
import { readAndScore } from '../../src/text-check/read-and-score.js';
import type { TextReader, TextReading } from '../../src/text-check/text-reader.js';

const EXPECTED = '夏季新品上市';
const maxCer = parseMaxCer(undefined);
const score = (reading: TextReading) => evaluateReading({ locale: 'zh-Hant', expected: EXPECTED, read: reading.text, engine: reading.engine, maxCer });

/** A reader that answers pass n with texts[n] (or fails with it, when it is an Error), and counts what it was asked. */
function scripted(engine: string, texts: Array<string | Error>): TextReader & { asked: number[] } {
  const asked: number[] = [];
  return {
    engine,
    passes: texts.length,
    asked,
    read(_image: Buffer, _locale: LocaleCode, options?: { pass?: number }): Promise<TextReading> {
      const pass = options?.pass ?? 0;
      asked.push(pass);
      const text = texts[pass]!;
      return text instanceof Error ? Promise.reject(text) : Promise.resolve({ text, engine });
    },
  };
}

describe('read and score: further passes only for a flagged image, the nearest reading counts', () => {
  it('reads once when the first reading passes', async () => {
    const reader = scripted('tesseract', ['夏季新品上市', '夏季新品上市']);
    const result = await readAndScore([reader], Buffer.alloc(0), 'zh-Hant', score);
    expect(result).toMatchObject({ status: 'ok', cer: 0, readings: 1 });
    expect(reader.asked).toEqual([0]);
  });

  it('reads a flagged image again and keeps the reading that matches, stopping there', async () => {
    const reader = scripted('tesseract', ['和夏李新品上市', '夏季新品上市', 'never asked']);
    const result = await readAndScore([reader], Buffer.alloc(0), 'zh-Hant', score);
    expect(result).toMatchObject({ status: 'ok', cer: 0, readText: '夏季新品上市', readings: 2 });
    expect(reader.asked).toEqual([0, 1]);
  });

  it('keeps a garbled image flagged: the best of every reading and engine is still far from the expected text', async () => {
    const tesseract = scripted('tesseract', ['夏R新x上', '夏R新', '夏R新x上Ж']);
    const vision = scripted('vision:gpt-4.1', ['夏R新x上']);
    const result = await readAndScore([tesseract, vision], Buffer.alloc(0), 'zh-Hant', score);
    expect(result.status).toBe('needs_review');
    expect(result.cer).toBe(0.5);
    expect(result.readings).toBe(4);
    expect(vision.asked).toEqual([0]);
  });

  it("asks the second engine only after the first engine's passes, and records its answer as its own", async () => {
    const tesseract = scripted('tesseract', ['諒', '']);
    const vision = scripted('vision:gpt-4.1', ['夏季新品上市']);
    const result = await readAndScore([tesseract, vision], Buffer.alloc(0), 'zh-Hant', score);
    expect(result).toMatchObject({ status: 'ok', engine: 'vision:gpt-4.1', readings: 3 });
  });

  it("a later reading that fails leaves the readings before it, saying what failed; a failing first reading is the check's failure", async () => {
    const tesseract = scripted('tesseract', ['和夏李新品上市']);
    const vision = scripted('vision:gpt-4.1', [new Error('the vision model refused to transcribe: no')]);
    const result = await readAndScore([tesseract, vision], Buffer.alloc(0), 'zh-Hant', score);
    expect(result).toMatchObject({ status: 'needs_review', engine: 'tesseract', readText: '和夏李新品上市', readings: 1, laterReadingFailed: 'the vision model refused to transcribe: no' });
    await expect(readAndScore([scripted('tesseract', [new Error('tesseract exited with 1')])], Buffer.alloc(0), 'zh-Hant', score)).rejects.toThrow('tesseract exited with 1');
  });
});
