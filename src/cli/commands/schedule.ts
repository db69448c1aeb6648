import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { InputError } from '../../errors/polyglyph-error.js';
import { cliLogger } from '../cli-logger.js';
import { addSchedule, listSchedules, openScheduleQueue, removeSchedule, type ScheduleInfo } from '../../schedules/schedules.js';
import { openRuntime } from '../../runtime/runtime.js';
import { CONNECTION_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { EXIT, setExitCode } from '../exit.js';
import { runScheduler } from '../run-scheduler.js';
import { SCAN_SETTINGS } from './scan.js';
import { terminalValue } from '../../text/terminal-text.js';
import { nextFireTimes } from '../../schedules/cron.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

/** `2026-11-30 02:00` in the schedule's zone (UTC without one), as a person reads a fire time. */
function formatInZone(time: Date, tz: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz ?? 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(time);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const seconds = part('second') === '00' ? '' : `:${part('second')}`;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}${seconds}`;
}

const LOG_SETTINGS = [...CONNECTION_SETTINGS, 'logLevel', 'logFormat'] as const;
const SCHEDULER_SETTINGS = [...SCAN_SETTINGS, 'healthPort', 'healthHost'] as const;

function describeSchedule(schedule: ScheduleInfo): string {
  const what = schedule.kind === 'manifest' ? `manifest ${schedule.manifest ?? '?'}` : schedule.kind;
  const next = schedule.next !== undefined ? `; next ${new Date(schedule.next).toISOString()}` : '';
  return [schedule.name, `${schedule.cron}${schedule.tz ? ` (${schedule.tz})` : ''}`, `${what}${next}`].map(terminalValue).join('\t');
}

/** Opens the schedule queue for one command and closes it after. */
async function withScheduleQueue<T>(options: Record<string, unknown>, use: (queue: ReturnType<typeof openScheduleQueue>) => Promise<T>): Promise<T> {
  const config = resolveConfig(settingFlags(options, LOG_SETTINGS));
  const runtime = await openRuntime(config, cliLogger(config, 'warn'));
  const queue = openScheduleQueue(runtime.redis, config);
  try {
    return await use(queue);
  } finally {
    await queue.close();
    await runtime.close();
  }
}

export function scheduleCommand(): Command {
  const schedule = new Command('schedule').description(COMMAND_SUMMARIES.schedule.description);
  const add = new Command('add')
    .description('add (or replace) a schedule')
    .argument('<name>', 'schedule name: letters, digits, . _ -')
    .requiredOption('--cron <pattern>', 'cron pattern of 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *", or 6 with seconds first')
    .option('--tz <zone>', "IANA time zone of the pattern, e.g. Europe/Berlin (default: the scheduler's)")
    .option('--scan', 'run one scan pass of the drop locations')
    .option('--manifest <path-or-blob>', "start a run of this manifest: a path on the scheduler's machine, or a blob name in the container");
  addSettings(add, LOG_SETTINGS);
  add.action(async (name: string, options: Record<string, unknown>) => {
    const manifest = typeof options.manifest === 'string' ? options.manifest : undefined;
    if ((options.scan === true) === (manifest !== undefined)) throw new InputError('schedule add: give exactly one of --scan and --manifest <path or blob name>');
    const info = await withScheduleQueue(options, (queue) =>
      addSchedule(queue, name, {
        cron: String(options.cron),
        tz: typeof options.tz === 'string' ? options.tz : undefined,
        job: manifest !== undefined ? { kind: 'manifest', manifest } : { kind: 'scan' },
      }),
    );
    process.stdout.write(`${describeSchedule(info)}\n`);
    const tz = typeof options.tz === 'string' ? options.tz : undefined;
    const next = nextFireTimes(String(options.cron), { tz });
    process.stdout.write(`next three fire times${tz ? ` (${tz})` : ' (UTC)'}: ${next.map((time) => formatInZone(time, tz)).join(', ')}\n`);
  });
  const list = new Command('list').description('list the schedules');
  addSettings(list, LOG_SETTINGS);
  list.action(async (options: Record<string, unknown>) => {
    const schedules = await withScheduleQueue(options, (queue) => listSchedules(queue));
    for (const entry of schedules) process.stdout.write(`${describeSchedule(entry)}\n`);
    if (schedules.length === 0) process.stdout.write('no schedules\n');
  });
  const remove = new Command('remove').description('remove a schedule').argument('<name>', 'schedule name');
  addSettings(remove, LOG_SETTINGS);
  remove.action(async (name: string, options: Record<string, unknown>) => {
    const removed = await withScheduleQueue(options, (queue) => removeSchedule(queue, name));
    if (!removed) {
      process.stderr.write(`polyglyph: no schedule named ${terminalValue(name)}\n`);
      setExitCode(EXIT.badInput);
      return;
    }
    process.stdout.write(`removed ${terminalValue(name)}\n`);
  });
  for (const sub of [add, list, remove]) schedule.addCommand(sub.exitOverride());
  return schedule;
}

export function schedulerCommand(): Command {
  const command = new Command('scheduler').description(COMMAND_SUMMARIES.scheduler.description);
  addSettings(command, SCHEDULER_SETTINGS);
  return command.action(async (options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SCHEDULER_SETTINGS));
    await runScheduler(config, cliLogger(config, 'info'));
  });
}
