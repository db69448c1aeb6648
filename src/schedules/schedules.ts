import { Queue, Worker, type Job } from 'bullmq';
import { duplicateRedis, type RedisClient } from '../redis/connection.js';
import type { Logger } from 'pino';
import { InputError } from '../errors/polyglyph-error.js';
import { nextFireTimes } from './cron.js';

/** What a schedule does when it fires: one scan pass, or a run of one manifest (a local path or a blob name). */
export type ScheduleJobData = { schedule: string; kind: 'scan' } | { schedule: string; kind: 'manifest'; manifest: string };

export interface ScheduleSpec {
  /** Cron pattern, 5 fields, or 6 with seconds first (`* * * * * *`: every second). */
  cron: string;
  /** IANA time zone the pattern is read in, e.g. Europe/Berlin. Default: the scheduler's (UTC in containers). */
  tz?: string | undefined;
  job: { kind: 'scan' } | { kind: 'manifest'; manifest: string };
}

export interface ScheduleInfo {
  name: string;
  cron: string;
  tz?: string | undefined;
  kind: string;
  manifest?: string | undefined;
  /** When it fires next (ms since the epoch). */
  next?: number | undefined;
}

/** The schedules live on their own queue next to the image queue, e.g. `images-schedules`. */
export function scheduleQueueName(queueName: string): string {
  return `${queueName}-schedules`;
}

export function openScheduleQueue(connection: RedisClient, settings: { queueName: string; queuePrefix: string }): Queue<ScheduleJobData> {
  return new Queue<ScheduleJobData>(scheduleQueueName(settings.queueName), { connection, prefix: settings.queuePrefix });
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Adds a schedule, or replaces the one of that name. Throws an InputError for a bad name, pattern or time zone. */
export async function addSchedule(queue: Queue<ScheduleJobData>, name: string, spec: ScheduleSpec): Promise<ScheduleInfo> {
  if (!NAME.test(name)) throw new InputError(`schedule name: expected letters, digits, . _ - (at most 64), got '${name}'`);
  if (spec.tz !== undefined && !isTimeZone(spec.tz)) throw new InputError(`--tz: expected an IANA time zone such as Europe/Berlin, got '${spec.tz}'`);
  // Checked here, before BullMQ sees it: BullMQ's parser accepts 4 fields and reads them shifted.
  nextFireTimes(spec.cron, { tz: spec.tz });
  const data: ScheduleJobData = spec.job.kind === 'scan' ? { schedule: name, kind: 'scan' } : { schedule: name, kind: 'manifest', manifest: spec.job.manifest };
  try {
    await queue.upsertJobScheduler(
      name,
      { pattern: spec.cron, ...(spec.tz !== undefined ? { tz: spec.tz } : {}) },
      {
        name: spec.job.kind,
        data,
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  } catch (error) {
    throw new InputError(`--cron: '${spec.cron}' is not a cron pattern (${error instanceof Error ? error.message : String(error)})`, {
      hint: 'five fields (minute hour day month weekday), e.g. "0 2 * * *", or six with seconds first',
      cause: error,
    });
  }
  const info = (await listSchedules(queue)).find((schedule) => schedule.name === name);
  if (!info) throw new Error(`schedule ${name} was not stored`);
  return info;
}

export async function listSchedules(queue: Queue<ScheduleJobData>): Promise<ScheduleInfo[]> {
  const schedulers = await queue.getJobSchedulers(0, -1, true);
  return schedulers.map((scheduler) => {
    const data = scheduler.template?.data;
    return {
      name: scheduler.key,
      cron: scheduler.pattern ?? (scheduler.every !== undefined ? `every ${scheduler.every} ms` : ''),
      tz: scheduler.tz,
      kind: data?.kind ?? scheduler.name,
      manifest: data && data.kind === 'manifest' ? data.manifest : undefined,
      next: scheduler.next,
    };
  });
}

/** True when there was a schedule of that name. */
export async function removeSchedule(queue: Queue<ScheduleJobData>, name: string): Promise<boolean> {
  return queue.removeJobScheduler(name);
}

/**
 * The scheduler's BullMQ Worker. Run as many scheduler processes as you like: BullMQ's job scheduler
 * adds exactly one job per slot (the next job's id is derived from the scheduler and the slot's
 * time, and added atomically by a Lua script), and a job is handed to exactly one worker, so a slot
 * fires once whatever the number of schedulers.
 */
export function createScheduleWorker(
  connection: RedisClient,
  settings: { queueName: string; queuePrefix: string },
  handle: (job: Job<ScheduleJobData>) => Promise<unknown>,
  logger?: Logger,
): Worker<ScheduleJobData> {
  const own = duplicateRedis(connection, { maxRetriesPerRequest: null });
  own.on('error', (error) => logger?.debug({ err: error }, 'scheduler redis connection error'));
  const worker = new Worker<ScheduleJobData>(scheduleQueueName(settings.queueName), handle, { connection: own, prefix: settings.queuePrefix, concurrency: 1 });
  worker.on('error', (error) => logger?.error({ err: error }, 'scheduler worker error'));
  worker.on('failed', (job, error) => logger?.error({ err: error, schedule: job?.data.schedule, jobId: job?.id }, 'scheduled job failed'));
  worker.on('closed', () => own.disconnect());
  return worker;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
