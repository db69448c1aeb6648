import { randomBytes } from 'node:crypto';

let counter = 0;

/** A short suffix unique across test files running in parallel: pid, a counter and random bits. */
export function uniqueSuffix(): string {
  counter += 1;
  return `${process.pid.toString(36)}${counter.toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * A BullMQ key prefix for one test (`<name>-<unique>`), so tests sharing a Redis never see each
 * other's queues. Only `[A-Za-z0-9_-]`: BullMQ joins prefix and queue name with ':'.
 */
export function uniquePrefix(name: string): string {
  const clean = name
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return clean ? `${clean}-${uniqueSuffix()}` : uniqueSuffix();
}
