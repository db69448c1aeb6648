// bench:memory — peak memory of one `polyglyph worker` process receiving 4K noise PNGs (~25 MB each,
// the worst case: noise does not compress) from the stand-in, at concurrency 4 and 16, with the memory
// budget off (POLYGLYPH_MEMORY_BUDGET_MB=0, the old behaviour: only the concurrency bounds it) and on
// (the default), measured in the same run. Target: <= 512 MB at concurrency 16 with the budget on.
// Peak RSS is the kernel's high-water mark of the worker process (VmHWM in /proc/<pid>/status): Linux only.
import { setTimeout as sleep } from 'node:timers/promises';
import { SETTINGS } from '../src/config/settings.js';
import { CleanupStack, abortOnSignals } from './quota/lifecycle.js';
import { runScenario, startBenchServices, type MemoryScenario, type ScenarioResult } from './memory/scenario.js';

const IMAGES = Number(process.env.BENCH_MEMORY_IMAGES ?? 32);
const TARGET_MB = 512;
const DEFAULT_BUDGET_MB = SETTINGS.memoryBudgetMb.default ?? 256;

const SCENARIOS: MemoryScenario[] = [
  { concurrency: 4, budgetMb: 0 },
  { concurrency: 4, budgetMb: DEFAULT_BUDGET_MB },
  { concurrency: 16, budgetMb: 0 },
  { concurrency: 16, budgetMb: DEFAULT_BUDGET_MB },
];

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('bench:memory reads the peak RSS from /proc (Linux only)');
  const signal = abortOnSignals();
  const cleanup = new CleanupStack();
  const results: ScenarioResult[] = [];
  try {
    const services = await startBenchServices(cleanup);
    console.log(`bench:memory: ${IMAGES} images of 3840x2160 noise PNG (${(services.imageBytes / 1e6).toFixed(1)} MB each) per scenario; one worker process each\n`);
    for (const scenario of SCENARIOS) {
      signal.throwIfAborted();
      const result = await runScenario(services, scenario, IMAGES, signal);
      results.push(result);
      console.log(
        `  concurrency ${scenario.concurrency}, budget ${scenario.budgetMb === 0 ? 'off' : `${scenario.budgetMb} MB`}: peak RSS ${result.peakRssMb.toFixed(0)} MB, ${result.images} images in ${(result.elapsedMs / 1000).toFixed(1)} s`,
      );
      await sleep(200);
    }
  } finally {
    await cleanup.runAll();
  }
  printTable(results);
}

function printTable(results: ScenarioResult[]): void {
  console.log('\n| concurrency | budget | peak RSS (MB) | vs budget off | images | seconds | images/s |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const result of results) {
    const baseline = results.find((other) => other.scenario.concurrency === result.scenario.concurrency && other.scenario.budgetMb === 0);
    const ratio = baseline ? (result.peakRssMb / baseline.peakRssMb).toFixed(2) : '-';
    const seconds = result.elapsedMs / 1000;
    console.log(
      `| ${result.scenario.concurrency} | ${result.scenario.budgetMb === 0 ? 'off' : `${result.scenario.budgetMb} MB`} | ${result.peakRssMb.toFixed(0)} | ${ratio} | ${result.images} | ${seconds.toFixed(1)} | ${(result.images / seconds).toFixed(2)} |`,
    );
  }
  const target = results.find((result) => result.scenario.concurrency === 16 && result.scenario.budgetMb !== 0);
  if (target) console.log(`\ntarget: peak RSS <= ${TARGET_MB} MB at concurrency 16 with the budget on: ${target.peakRssMb.toFixed(0)} MB, ${target.peakRssMb <= TARGET_MB ? 'met' : 'NOT met'}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = process.exitCode || 1;
});
