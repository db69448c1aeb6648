import { createReadStream } from 'node:fs';
import { parse, type CsvError } from 'csv-parse';

/** One CSV record and where it starts, so issues can name a line and column. */
export interface CsvRecord {
  fields: string[];
  /** The record's text, line endings normalised to LF, without leading blank lines. */
  raw: string;
  /** 1-based line on which the record starts. */
  line: number;
}

/** A syntax error csv-parse cannot read past (an unterminated quote, a stray quote, a runaway record). */
export interface CsvSyntaxIssue {
  syntaxError: true;
  line: number;
  code: string;
  message: string;
}

/** A record longer than this is an unterminated quote swallowing the file, not data. */
const MAX_RECORD_CHARS = 1_000_000;

/**
 * Streams the records of a CSV file with csv-parse, one chunk at a time (never the whole file).
 * We decode and normalise line endings ourselves before csv-parse: its line counts drift on CRLF
 * input, and a count we keep from the records' raw text is exact for LF, CRLF, BOM and quoted
 * newlines alike.
 */
export async function* readCsvRecords(path: string): AsyncGenerator<CsvRecord | CsvSyntaxIssue> {
  // Records are taken in on_record, synchronously and in order, rather than read from the stream:
  // a stream that errors discards the records it still buffers, and we want every one before the error.
  let pending: CsvRecord[] = [];
  let nextLine = 1;
  const parser = parse({
    relax_column_count: true,
    raw: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
    // With `raw`, csv-parse hands on_record the fields together with the record's text.
    on_record: (entry: unknown) => {
      const { record, raw } = entry as { record: string[]; raw: string };
      const leading = /^\n*/.exec(raw)![0].length;
      pending.push({ fields: record, raw: raw.slice(leading), line: nextLine + leading });
      nextLine += countNewlines(raw);
      return null;
    },
  });
  // An object, not a `let`: TypeScript cannot see the callback assign it and would narrow it to never.
  const failure: { error?: CsvError } = {};
  parser.on('error', (error: CsvError) => (failure.error = error));
  parser.resume(); // nothing is pushed, but a paused readable side would never end

  const decoder = new TextDecoder('utf-8', { fatal: false });
  let carry = '';
  const take = (): CsvRecord[] => {
    const records = pending;
    pending = [];
    return records;
  };

  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    // Hold back a trailing CR: its LF may start the next chunk.
    let text = carry + decoder.decode(chunk as Buffer, { stream: true });
    carry = text.endsWith('\r') ? '\r' : '';
    if (carry) text = text.slice(0, -1);
    parser.write(normaliseLineEndings(text));
    await settle();
    yield* take();
    if (failure.error) break;
  }
  if (!failure.error) {
    parser.end(normaliseLineEndings(carry + decoder.decode()));
    await settle();
    yield* take();
  }
  const fatal = failure.error;
  if (fatal) {
    // The record that failed starts on the line after the last good one (the quote opened there).
    const line = fatal.code === 'CSV_QUOTE_NOT_CLOSED' || fatal.code === 'CSV_MAX_RECORD_SIZE' ? nextLine : Number(fatal.lines);
    yield { syntaxError: true, line, code: fatal.code, message: describeCsvError(fatal) };
  }
}

/** Lets csv-parse finish pushing the records of what it was just given (and raise any error). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function normaliseLineEndings(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field starting in this record is never closed; the rest of the file cannot be read';
    case 'CSV_MAX_RECORD_SIZE':
      return `a record longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters (most likely an unterminated quote); the rest of the file cannot be read`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted field is followed by more text before the next comma; the rest of the file cannot be read';
    default:
      return `unreadable CSV: ${error.message}`;
  }
}

interface FieldPositions {
  /** Where each field of the record starts, in order. */
  starts: Array<{ line: number; column: number }>;
  /** Where the record ends: the position of any field past its last one (a missing field). */
  end: { line: number; column: number };
}

/** Positions of a record's fields, computed once per record, the first time an issue needs one. */
const positionsByRecord = new WeakMap<CsvRecord, FieldPositions>();

/**
 * Line and column where field `index` of a record starts. One pass over the record finds every
 * field's start and is kept, so a record with many issues (50,000 unknown columns, say) costs one
 * pass, not one per issue.
 */
export function fieldPosition(record: CsvRecord, index: number): { line: number; column: number } {
  let positions = positionsByRecord.get(record);
  if (!positions) {
    positions = scanFieldPositions(record);
    positionsByRecord.set(record, positions);
  }
  const start = index < positions.starts.length ? positions.starts[index]! : positions.end;
  return { ...start };
}

function scanFieldPositions(record: CsvRecord): FieldPositions {
  let line = record.line;
  let column = 1;
  let quoted = false;
  const starts = [{ line, column }];
  const raw = record.raw;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (char === '"')
      quoted = !quoted; // "" inside a quoted field toggles twice: no change
    else if (char === ',' && !quoted) {
      column++;
      starts.push({ line, column });
      continue;
    }
    if (char === '\n') {
      if (!quoted) break; // the record's end
      line++;
      column = 1;
    } else column++;
  }
  return { starts, end: { line, column } };
}
