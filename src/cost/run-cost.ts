import type { RunRecord } from '../runs/run-store.js';
import type { PriceTable } from './price-table.js';
import { usageCostMicros } from './usage-cost.js';

/** What a run was estimated to cost before it started, and what the tokens the API reported cost; null where the model has no price. */
export function runCost(run: RunRecord, table: PriceTable): { estimatedMicros: number | null; actualMicros: number | null } {
  const actual = usageCostMicros(
    { inputTextTokens: run.tokens.textInput, inputImageTokens: run.tokens.imageInput, outputTokens: run.tokens.output, outputTextTokens: run.tokens.textOutput },
    run.model,
    table,
  );
  return { estimatedMicros: run.estimatedCostMicros ?? null, actualMicros: run.tokens.output > 0 ? (actual ?? null) : 0 };
}
