import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { Config } from '../../src/config/settings.js';
import type { ReportRow } from '../../src/runs/report-row.js';
import { isRunComplete, type RunRecord, type RunStore } from '../../src/runs/run-store.js';
import { uniquePrefix } from './unique.js';

export const silentLogger = pino({ level: 'silent' });

/** A configuration isolated to one test: its own queue prefix and container. */
export function testConfig(env: { redisUrl: string; apiUrl: string; storage: string; container: string }, extra: Record<string, string> = {}): Config {
  return resolveConfig(
    {},
    {
      REDIS_URL: env.redisUrl,
      AZURE_OPENAI_ENDPOINT: env.apiUrl,
      AZURE_OPENAI_API_KEY: 'test-key',
      AZURE_STORAGE_CONNECTION_STRING: env.storage,
      POLYGLYPH_CONTAINER: env.container,
      POLYGLYPH_QUEUE_PREFIX: uniquePrefix('pg'),
      POLYGLYPH_IMAGES_PER_MINUTE: '6000',
      POLYGLYPH_BACKOFF_MS: '10',
      ...extra,
    },
  );
}

/** Polls until every item of the run has settled. Bounded so a broken pipeline fails the test. */
export async function waitForRun(store: RunStore, runId: string, timeoutMs = 45_000): Promise<RunRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await store.get(runId);
    if (run && isRunComplete(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish: ${JSON.stringify(run)}`);
    await sleep(100);
  }
}

/** Polls `condition` (errors count as false) until it holds; throws `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(condition)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}

/** Every report row of a run, in settling order. */
export async function readRows(store: RunStore, runId: string): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  for await (const row of store.rows(runId)) rows.push(row);
  return rows;
}
