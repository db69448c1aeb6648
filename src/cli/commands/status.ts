import { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveConfig } from '../../config/resolve-config.js';
import { InputError } from '../../errors/polyglyph-error.js';
import { cliLogger } from '../cli-logger.js';
import type { RunRecord, RunStore } from '../../runs/run-store.js';
import { formatUsd } from '../../cost/money.js';
import { loadPriceTable } from '../../cost/price-file.js';
import type { PriceTable } from '../../cost/price-table.js';
import { runCost } from '../../cost/run-cost.js';
import { readDeploymentUsage } from '../../deployments/deployment-usage.js';
import { openRuntime } from '../../runtime/runtime.js';
import { runState } from '../../runs/run-state.js';
import { formatDeployments, formatRun, formatRunList } from '../render-run.js';
import { workersPace } from '../../runs/workers-pace.js';
import { CONNECTION_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { Progress } from '../progress.js';
import { readRun } from '../wait-for-run.js';
import { terminalText } from '../../text/terminal-text.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const SETTINGS = [...CONNECTION_SETTINGS, 'priceFile', 'logLevel', 'logFormat', 'statusLimit'] as const;

export function statusCommand(): Command {
  const command = new Command('status')
    .description(COMMAND_SUMMARIES.status.description)
    .argument('[run]', 'run id (default: list recent runs)')
    .option('--watch', 'keep showing the run until it finishes (bars on a terminal, a line every 5 s otherwise)')
    .option('--json', 'print JSON for scripts');
  addSettings(command, SETTINGS);
  return command.action(async (runId: string | undefined, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, SETTINGS));
    const table = loadPriceTable(config.priceFile);
    const runtime = await openRuntime(config, cliLogger(config, 'warn'));
    try {
      const json = options.json === true;
      if (runId === undefined) {
        const runs = await runtime.runStore.recent(config.statusLimit);
        if (json) {
          process.stdout.write(`${terminalText(JSON.stringify(runs, null, 2))}\n`);
          return;
        }
        process.stdout.write(runs.length === 0 ? 'no runs yet\n' : `${formatRunList(runs)}\n`);
        const deployments = await readDeploymentUsage(runtime.redis, runtime.runStore.keys.base);
        if (deployments.length > 0) process.stdout.write(`\n${formatDeployments(deployments)}\n`);
        return;
      }
      let run = await getRun(runtime.runStore, runId);
      if (options.watch !== true) {
        process.stdout.write(
          json
            ? `${terminalText(JSON.stringify({ ...run, cost: runCost(run, table) }, null, 2))}\n`
            : `${formatRun(run, costLines(run, table), await workersPace(runtime.redis, runtime.runStore.keys.base, run))}\n`,
        );
        return;
      }
      const tty = process.stdout.isTTY === true && !json;
      const redisWait = new Progress(process.stderr);
      let printedLines = 0;
      let lastPlain = 0;
      for (;;) {
        const text = json
          ? terminalText(JSON.stringify({ ...run, cost: runCost(run, table) }))
          : formatRun(run, costLines(run, table), await workersPace(runtime.redis, runtime.runStore.keys.base, run));
        const finished = ['finished', 'cancelled'].includes(runState(run));
        if (tty) {
          // Redraw in place: up over what we printed last time, clear, print.
          process.stdout.write(`${printedLines > 0 ? `\x1b[${printedLines}A` : ''}\x1b[0J${text}\n`);
          printedLines = text.split('\n').length;
        } else if (finished || Date.now() - lastPlain >= 5_000) {
          process.stdout.write(`${json ? text : text.split('\n')[0]}\n`);
          lastPlain = Date.now();
        }
        if (finished) {
          if (!tty && !json) process.stdout.write(`${formatRun(run, costLines(run, table))}\n`);
          return;
        }
        await sleep(1_000);
        // A Redis restart while watching is waited out (said on stderr), as the workers wait it out.
        run = (await readRun(runtime.runStore, runId, redisWait)) ?? (await getRun(runtime.runStore, runId));
      }
    } finally {
      await runtime.close();
    }
  });
}

export async function getRun(store: RunStore, runId: string): Promise<RunRecord> {
  const run = await store.get(runId);
  if (!run) throw new InputError(`no run '${runId}' in this queue`, { hint: '`polyglyph status` lists recent runs; check REDIS_URL, POLYGLYPH_QUEUE and POLYGLYPH_QUEUE_PREFIX' });
  return run;
}

function costLines(run: RunRecord, table: PriceTable): string[] {
  const { estimatedMicros, actualMicros } = runCost(run, table);
  const estimate = estimatedMicros === null ? 'unknown' : formatUsd(estimatedMicros);
  const actual = actualMicros === null ? 'unknown (no token prices for this model)' : formatUsd(actualMicros);
  const tokens = `${run.tokens.textInput + run.tokens.imageInput} input + ${run.tokens.output} output tokens`;
  return [`cost      estimated ${estimate}; from usage ${actual} (${tokens})`];
}
