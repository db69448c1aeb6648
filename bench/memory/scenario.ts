// One bench:memory scenario: a fresh queue and container, a manifest of 4K images enqueued in this
// process, one `polyglyph worker` child (from source, configured only by environment) that takes them
// from the stand-in to Azurite; its peak RSS is read from the kernel once the run has settled.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { startAzurite } from '../../src/local-services/azurite.js';
import { cleanupOnParentExit, terminate } from '../../src/local-services/child-process.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { enqueueManifest } from '../../src/queue/enqueue-manifest.js';
import { newRunId } from '../../src/runs/run-id.js';
import { isRunComplete } from '../../src/runs/run-store.js';
import { openWorkerRuntime } from '../../src/runtime/runtime.js';
import { startRedisServer } from '../../test/helpers/redis-server.js';
import type { CleanupStack } from '../quota/lifecycle.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SIZE = '3840x2160';
/** Long enough that a whole concurrency's worth of requests is in flight when the answers arrive. */
const LATENCY_MS = 1_000;
const RUN_TIMEOUT_MS = 15 * 60_000;

export interface MemoryScenario {
  concurrency: number;
  /** POLYGLYPH_MEMORY_BUDGET_MB; 0: no budget. */
  budgetMb: number;
}

export interface ScenarioResult {
  scenario: MemoryScenario;
  peakRssMb: number;
  images: number;
  elapsedMs: number;
}

export interface BenchServices {
  redisUrl: string;
  storage: string;
  api: MockImageApi;
  /** Bytes of one image the stand-in serves. */
  imageBytes: number;
}

export async function startBenchServices(cleanup: CleanupStack): Promise<BenchServices> {
  const redis = await startRedisServer({ appendonly: false });
  cleanup.defer('redis', () => redis.stop());
  const azurite = await startAzurite();
  cleanup.defer('azurite', () => azurite.stop());
  const api = createMockImageApi({ imageFill: 'noise', latencyMs: LATENCY_MS });
  await api.listen(0);
  cleanup.defer('stand-in', () => api.close());
  const probe = await fetch(`${api.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'api-key': 'bench' },
    body: JSON.stringify({ prompt: 'size probe', size: SIZE, quality: 'low', output_format: 'png', n: 1 }),
  });
  const body = (await probe.json()) as { data?: Array<{ b64_json?: string }> };
  const b64 = body.data?.[0]?.b64_json;
  if (!probe.ok || !b64) throw new Error(`the stand-in did not serve a ${SIZE} image: ${probe.status}`);
  api.resetStats();
  return { redisUrl: redis.url, storage: azurite.connectionString, api, imageBytes: Buffer.byteLength(b64, 'base64') };
}

export async function runScenario(services: BenchServices, scenario: MemoryScenario, images: number, signal: AbortSignal): Promise<ScenarioResult> {
  const suffix = `${scenario.concurrency}-${scenario.budgetMb}-${Date.now().toString(36)}`;
  const env: Record<string, string> = {
    REDIS_URL: services.redisUrl,
    POLYGLYPH_QUEUE_PREFIX: `bench-memory-${suffix}`,
    POLYGLYPH_CONTAINER: `bench-memory-${suffix}`,
    AZURE_STORAGE_CONNECTION_STRING: services.storage,
    AZURE_OPENAI_ENDPOINT: services.api.url,
    AZURE_OPENAI_API_KEY: 'bench',
    POLYGLYPH_IMAGES_PER_MINUTE: '6000',
    POLYGLYPH_CONCURRENCY: String(scenario.concurrency),
    POLYGLYPH_MEMORY_BUDGET_MB: String(scenario.budgetMb),
    POLYGLYPH_LOG_LEVEL: 'warn',
  };
  const config = resolveConfig({}, env);
  const runtime = await openWorkerRuntime(config, pino({ level: 'silent' }));
  let worker: ChildProcess | undefined;
  try {
    const dir = await mkdtemp(join(tmpdir(), 'bench-memory-'));
    const manifest = join(dir, 'memory.csv');
    const rows = Array.from({ length: images }, (_, index) => `m${index + 1},Big picture ${index + 1} (${suffix}),ja,1,low,${SIZE}`);
    await writeFile(manifest, ['id,message,locales,variants,quality,size', ...rows].join('\n'));
    const runId = newRunId();
    await enqueueManifest(runtime, { runId, manifestPath: manifest, defaults: manifestDefaults(config), model: config.deployment, attempts: config.attempts, backoffMs: config.backoffMs });
    const started = Date.now();
    worker = spawnWorker(env);
    const exited = new Promise<void>((resolve) => worker!.once('exit', () => resolve()));
    for (;;) {
      signal.throwIfAborted();
      const run = await runtime.runStore.get(runId);
      if (run && isRunComplete(run)) {
        if (run.itemsFailed > 0) throw new Error(`${run.itemsFailed} items failed in scenario ${JSON.stringify(scenario)}`);
        break;
      }
      if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode} before the run finished`);
      if (Date.now() - started > RUN_TIMEOUT_MS) throw new Error(`scenario ${JSON.stringify(scenario)} did not finish`);
      await Promise.race([sleep(250), exited]);
    }
    const elapsedMs = Date.now() - started;
    const peakRssMb = await peakRss(worker.pid!);
    return { scenario, peakRssMb, images, elapsedMs };
  } finally {
    if (worker) await terminate(worker, 20_000);
    await runtime.close();
  }
}

function spawnWorker(env: Record<string, string>): ChildProcess {
  // Only our variables on top of a clean environment: a real endpoint or key of the person running it must not leak in.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AZURE_|POLYGLYPH_|REDIS_URL$)/.test(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', 'worker'], { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  cleanupOnParentExit(child, () => child.kill('SIGKILL'));
  return child;
}

/** The process's peak resident set (VmHWM), in MB. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) / 1024;
}
