// Issue 14 item 6: on a terminal, logs and failed items are lines a person reads (no JSON, no stack
// traces); JSON only with --log-format json or when stderr is not a terminal.
import { describe, expect, it } from 'vitest';
import { resolveLogFormat } from '../../src/cli/cli-logger.js';
import { formatFailure, manifestShown } from '../../src/cli/print-failures.js';
import { createLogger, type LogFormat } from '../../src/logging/create-logger.js';
import { ITEM_FAILED_EVENT } from '../../src/logging/log-events.js';
import { formatLogLine } from '../../src/logging/text-log-line.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import { plural } from '../../src/text/plural.js';

function captureLogger(format: LogFormat, options: { omitEvents?: string[]; secrets?: string[] } = {}) {
  const lines: string[] = [];
  const logger = createLogger('debug', {}, { destination: { write: (line: string) => void lines.push(line) }, format, ...options });
  return { logger, lines };
}

/** An API error as the image client throws it: status, code, and a stack. */
function contentPolicyError(): Error {
  const error = new Error('400 content_policy_violation: Your request was rejected as a result of our safety system.\nsecond line');
  Object.assign(error, { status: 400, code: 'content_policy_violation', body: { error: { inner_error: { content_filter_results: { violence: { filtered: true } } } } } });
  return error;
}

describe('log format', () => {
  it('auto is text on a terminal and JSON otherwise; an explicit format wins either way', () => {
    expect(resolveLogFormat('auto', true)).toBe('text');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat(undefined, true)).toBe('text');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('text', false)).toBe('text');
  });

  it('text: one line per record with level, message, item, deployment and the error message, no stack trace', () => {
    const { logger, lines } = captureLogger('text');
    logger
      .child({ runId: 'r1', jobId: 'img.9c2ed69cc80fe738368eb0ee62a56b44.n1', messageId: 'refused', locale: 'ja' })
      .warn({ err: contentPolicyError(), deployment: 'gpt-image-2', attempt: 1, final: false, code: 'content_policy_violation' }, 'image generation failed');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd().split('\n')).toHaveLength(1);
    expect(line).toContain(
      'warning: image generation failed (item refused (ja), runId r1, deployment gpt-image-2, attempt 1, code content_policy_violation): 400 content_policy_violation: Your request was rejected as a result of our safety system.',
    );
    expect(line).not.toContain('at ');
    expect(line).not.toContain('{"');
    expect(line).not.toContain('img.9c2ed69c');
  });

  it('text: a plain warning reads as a sentence', () => {
    const { logger, lines } = captureLogger('text');
    logger.error({ deployment: 'img-swe', heldMs: 30000 }, 'deployment taken out of the pool (circuit breaker)');
    expect(lines).toEqual(['error: deployment taken out of the pool (circuit breaker) (deployment img-swe, heldMs 30000)\n']);
  });

  it('text: secrets are redacted before the line is formatted', () => {
    const { logger, lines } = captureLogger('text', { secrets: ['plain-configured-key-without-any-pattern'] });
    logger.warn({ err: new Error('request to https://a.blob.core.windows.net/c/x.png?sig=abcdef123456 failed with plain-configured-key-without-any-pattern') }, 'upload failed');
    expect(lines[0]).toContain('sig=[redacted]');
    expect(lines[0]).not.toContain('abcdef123456');
    expect(lines[0]).not.toContain('plain-configured-key');
  });

  it('text: events the command prints itself are left out; JSON keeps them', () => {
    const text = captureLogger('text', { omitEvents: [ITEM_FAILED_EVENT] });
    text.logger.warn({ event: ITEM_FAILED_EVENT, messageId: 'refused' }, 'image generation failed');
    text.logger.warn({ messageId: 'other' }, 'image generation failed');
    expect(text.lines).toHaveLength(1);
    expect(text.lines[0]).toContain('item other');
    const json = captureLogger('json', { omitEvents: [ITEM_FAILED_EVENT] });
    json.logger.warn({ event: ITEM_FAILED_EVENT, err: contentPolicyError() }, 'image generation failed');
    const record = JSON.parse(json.lines[0]!) as { level: number; event: string; err: { stack: string } };
    expect(record.level).toBe(40);
    expect(record.event).toBe(ITEM_FAILED_EVENT);
    expect(record.err.stack).toContain('at ');
  });

  it('text: a value that would act on the terminal is shown, not obeyed', () => {
    expect(formatLogLine(JSON.stringify({ level: 40, msg: 'bad \u001b[2J name', file: 'a\nb' }))).toBe('warning: bad \\u001b[2J name (file a b)');
  });
});

describe('failed items', () => {
  const row: ReportRow = {
    id: 'refused',
    locale: 'ja',
    variant: '',
    status: 'failed',
    blobName: '',
    url: '',
    errorCode: 'content_policy_violation',
    errorMessage: '400 content_policy_violation: Your request was rejected as a result of our safety system.',
    attempts: 1,
    line: 3,
    model: 'gpt-image-2',
    deployment: 'img-swe',
    size: '1024x1024',
    requestedSize: '1024x1024',
    requestId: 'req-1',
  };

  it('one line: file:line, item, locale, code, message once, deployment', () => {
    expect(formatFailure('samples/blocked-on-purpose.csv', row)).toBe(
      'samples/blocked-on-purpose.csv:3: refused (ja) failed: content_policy_violation: Your request was rejected as a result of our safety system. (deployment img-swe)',
    );
    expect(formatFailure('m.csv', { ...row, line: 0, deployment: '', errorCode: 'stalled', errorMessage: 'its worker stopped\nholding it' })).toBe(
      'm.csv: refused (ja) failed: stalled: its worker stopped holding it',
    );
  });

  it('names the manifest as the user can open it', () => {
    expect(manifestShown({ manifest: 'x.csv', manifestPath: '/home/me/proj/samples/x.csv' }, '/home/me/proj')).toBe('samples/x.csv');
    expect(manifestShown({ manifest: 'x.csv', manifestPath: '/elsewhere/x.csv' }, '/home/me/proj')).toBe('/elsewhere/x.csv');
    expect(manifestShown({ manifest: 'x.csv', manifestPath: '' }, '/home/me/proj')).toBe('x.csv');
  });

  it('plurals agree with their count', () => {
    expect(plural(1, 'row')).toBe('1 row');
    expect(plural(0, 'row')).toBe('0 rows');
    expect(plural(2, 'item')).toBe('2 items');
  });
});
