import type { Runtime } from '../runtime/runtime.js';

/**
 * Why nothing will process the run's jobs, or undefined when a worker is connected to its queue.
 * BullMQ names every Worker connection after its queue, so `getWorkersCount()` (CLIENT LIST) sees
 * them at once, unlike the deployments' minute-by-minute registration.
 */
export async function noWorkerWarning(runtime: Runtime): Promise<string | undefined> {
  const workers = await runtime.queue.getWorkersCount();
  if (workers > 0) return undefined;
  return `no worker serves queue '${runtime.config.queueName}' yet: start \`polyglyph worker\` in another terminal (with the same settings), or use \`polyglyph run\``;
}
