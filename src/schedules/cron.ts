import { CronExpressionParser } from 'cron-parser';
import { InputError } from '../errors/polyglyph-error.js';

const HINT = 'five fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 every day, or six with seconds first';

/**
 * Checks a schedule's cron pattern and returns its next `count` fire times. Only 5 or 6 fields are
 * accepted: the parser BullMQ uses (cron-parser) also takes fewer fields and reads them otherwise
 * than meant (a 4-field "0 2 * *" meant as daily became a monthly schedule). Throws an InputError
 * saying what a pattern looks like.
 */
export function nextFireTimes(cron: string, options: { tz?: string | undefined; count?: number; now?: Date } = {}): Date[] {
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new InputError(`--cron: expected 5 or 6 fields, got ${fields.length} in '${cron}'`, { hint: HINT });
  }
  let interval: ReturnType<typeof CronExpressionParser.parse>;
  try {
    interval = CronExpressionParser.parse(fields.join(' '), { currentDate: options.now ?? new Date(), ...(options.tz !== undefined ? { tz: options.tz } : {}) });
  } catch (error) {
    throw new InputError(`--cron: '${cron}' is not a cron pattern (${error instanceof Error ? error.message : String(error)})`, { hint: HINT, cause: error });
  }
  return Array.from({ length: options.count ?? 3 }, () => interval.next().toDate());
}
