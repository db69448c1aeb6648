// One measured enqueue in a fresh process, so its peak RSS is its own. Prints one JSON line.
import { manifestDefaults } from '../src/cli/manifest-defaults.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { enqueueManifest } from '../src/queue/enqueue-manifest.js';
import { newRunId } from '../src/runs/run-id.js';
import { openRuntime } from '../src/runtime/runtime.js';
import pino from 'pino';

const [manifestPath, redisUrl] = process.argv.slice(2) as [string, string];
const config = resolveConfig({ redisUrl, queuePrefix: `bench${process.pid}` }, {});
const runtime = await openRuntime(config, pino({ level: 'silent' }));
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const started = performance.now();
const result = await enqueueManifest(runtime, {
  runId: newRunId(),
  manifestPath,
  defaults: manifestDefaults(config),
  model: config.deployment,
  attempts: 5,
  backoffMs: 1000,
});
const ms = performance.now() - started;
clearInterval(sampler);
await runtime.close();
// maxRSS (kB) from the OS covers moments the sampler missed.
const maxRssMb = Math.max(peakRss / 2 ** 20, process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify({ rows: result.summary.rows, jobs: result.jobs, ms: Math.round(ms), maxRssMb: Math.round(maxRssMb) }));
