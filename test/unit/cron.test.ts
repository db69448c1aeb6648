import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors/polyglyph-error.js';
import { nextFireTimes } from '../../src/schedules/cron.js';

const NOW = new Date('2026-11-29T12:00:00Z');

describe('schedule cron patterns', () => {
  it("gives the next three fire times of a 5-field pattern, in the schedule's time zone", () => {
    expect(nextFireTimes('0 2 * * *', { tz: 'Europe/Berlin', now: NOW }).map((time) => time.toISOString())).toEqual([
      '2026-11-30T01:00:00.000Z',
      '2026-12-01T01:00:00.000Z',
      '2026-12-02T01:00:00.000Z',
    ]);
  });

  it('takes 6 fields with seconds first', () => {
    expect(nextFireTimes('30 0 2 * * *', { now: NOW })[0]!.toISOString()).toBe('2026-11-30T02:00:30.000Z');
  });

  it('refuses 4 fields (BullMQ would take "0 2 * *" and fire monthly) and 7, saying what a pattern looks like', () => {
    for (const cron of ['0 2 * *', '0 0 2 * * * 2027', '']) {
      const error = (() => {
        try {
          nextFireTimes(cron, { now: NOW });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, cron).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(/expected 5 or 6 fields/);
      expect((error as InputError).hint).toContain('"0 2 * * *"');
    }
  });

  it('refuses a 5-field pattern that is not cron', () => {
    expect(() => nextFireTimes('0 25 * * *', { now: NOW })).toThrow(InputError);
  });
});
