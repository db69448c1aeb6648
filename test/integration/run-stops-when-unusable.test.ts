// Issue 13, defect 3: a run whose every deployment fails its key stops within seconds with the
// diagnosis `polyglyph check` gives, keeps its items queued (none failed), and a re-run with the
// key fixed starts at once instead of waiting out the breaker's hold.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { RunStore } from '../../src/runs/run-store.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { runCli } from '../helpers/cli.js';
import { startServices, type TestServices } from '../helpers/services.js';
import { uniquePrefix } from '../helpers/unique.js';

const KEY = 'right-key';
let services: TestServices;
let api: MockImageApi;
let dir: string;

beforeAll(async () => {
  api = createMockImageApi({ deployments: [{ name: 'img-prod-eastus', model: 'gpt-image-2' }], apiKey: KEY });
  [services] = await Promise.all([startServices(), api.listen()]);
  dir = await mkdtemp(join(tmpdir(), 'pg-unusable-'));
});
afterAll(async () => {
  await Promise.allSettled([api?.close(), services?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('run with a wrong key', () => {
  it('stops with the diagnosis and exit 2, keeps every item queued, logs one line; with the key fixed the same items are made at once', async () => {
    const manifest = join(dir, 'offers.csv');
    await writeFile(manifest, ['id,message,locales', 'welcome,Welcome back,ja;ko', 'sale,Big sale today,ja;hi;bn', 'thanks,Thank you,zh-Hans'].join('\n'));
    const prefix = uniquePrefix('unusable');
    // One container for both runs: only the key changes, so the second run's items are the first's (job ids name the container).
    const container = uniqueContainerName('unusable');
    const env = (key: string): Record<string, string> => ({
      REDIS_URL: services.redis.url,
      AZURE_OPENAI_ENDPOINT: api.url,
      AZURE_OPENAI_DEPLOYMENT: 'img-prod-eastus',
      AZURE_OPENAI_API_KEY: key,
      AZURE_STORAGE_CONNECTION_STRING: services.azurite.connectionString,
      POLYGLYPH_CONTAINER: container,
      POLYGLYPH_QUEUE_PREFIX: prefix,
      POLYGLYPH_REPORT_DIR: join(dir, 'reports'),
      POLYGLYPH_IMAGES_PER_MINUTE: '600',
    });

    // No wall-clock assertion: the generous limit only keeps a hung run from hanging the suite (the
    // breaker's first hold alone is 60 s, and it doubles; before this fix the run waited behind it).
    const wrong = await runCli(['run', manifest], env('not-the-key'), 90_000);
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(2);
    expect(wrong.stderr).toMatch(/polyglyph: run \S+ stopped after \d+ s: no deployment can serve gpt-image-2/);
    expect(wrong.stderr).toMatch(/FAIL {2}authentication +the API key was refused \(401/);
    expect(wrong.stderr).toContain('fix: set AZURE_OPENAI_API_KEY to KEY 1 or KEY 2');
    expect(wrong.stderr).toContain('6 of 6 jobs stay queued (0 failed)');
    expect(wrong.stderr).not.toContain('not-the-key');
    // The workers' own line, once for the deployment, not once per item.
    expect(wrong.stderr.split('\n').filter((line) => line.includes('"msg":"deployment img-prod-eastus cannot be used'))).toHaveLength(1);
    expect(api.stats().imagesGenerated).toBe(0);

    const redis = new Redis(services.redis.url, { maxRetriesPerRequest: 1 });
    const queue = new Queue('images', { connection: redis, prefix });
    try {
      const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed', 'completed');
      expect((counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0), JSON.stringify(counts)).toBe(6);
      expect(counts.failed).toBe(0);
      const runs = await new RunStore(redis, prefix, 'images').recent(10);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ total: 6, settled: 0, itemsFailed: 0 });

      // The key fixed: the held deployment is released at start, and the queued items are made now.
      const right = await runCli(['run', manifest], env(KEY), 90_000);
      expect(right.code, right.stdout + right.stderr).toBe(0);
      expect(right.stdout).toMatch(/6 images created, 0 already stored, 0 items failed/);
      expect(api.stats().imagesGenerated).toBe(6);
      const after = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'failed');
      expect(after).toMatchObject({ wait: 0, prioritized: 0, delayed: 0, failed: 0 });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }, 240_000);
});
