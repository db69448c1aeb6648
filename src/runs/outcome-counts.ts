import type { ImageUsage } from '../image-api/types.js';

/** Counter fields an item's outcome adds to each run that waits for it (HINCRBY, so integers only). */
export type OutcomeCounts = Record<string, number>;

export interface ItemOutcome {
  locale: string;
  /** Images the item asked for. */
  variants: number;
  created: number;
  existing: number;
  failed?: boolean;
  /** The failure's code (`content_filter`, `http_500`, ...): counted per code for the dashboard. */
  errorCode?: string | undefined;
  cancelled?: boolean;
  usage?: ImageUsage | undefined;
}

/**
 * The counters one item moves: totals for the summary, per-locale images done and items failed for
 * the progress bars, and the tokens the API reported, summed into the run's actual cost.
 */
export function outcomeCounts(outcome: ItemOutcome): OutcomeCounts {
  const counts: OutcomeCounts = {};
  const add = (field: string, value: number | undefined): void => {
    if (value) counts[field] = (counts[field] ?? 0) + value;
  };
  add('imagesCreated', outcome.created);
  add('imagesExisting', outcome.existing);
  add('itemsFailed', outcome.failed ? 1 : 0);
  add('itemsCancelled', outcome.cancelled ? 1 : 0);
  // A failed or cancelled item's missing images are resolved too: the bar reaches its end. How each
  // image was resolved is counted apart, so a bar can show created, found, failed and cancelled apart.
  const unresolved = Math.max(0, outcome.variants - outcome.created - outcome.existing);
  add(`locale:${outcome.locale}:images`, outcome.variants);
  add(`locale:${outcome.locale}:created`, outcome.created);
  add(`locale:${outcome.locale}:existing`, outcome.existing);
  add(`locale:${outcome.locale}:imagesFailed`, outcome.failed ? unresolved : 0);
  add(`locale:${outcome.locale}:imagesCancelled`, outcome.cancelled ? unresolved : 0);
  add(`locale:${outcome.locale}:failed`, outcome.failed ? 1 : 0);
  if (outcome.failed) add(`failures:${outcome.errorCode || 'unknown'}`, 1);
  const usage = outcome.usage;
  if (usage) {
    const imageInput = usage.inputImageTokens ?? 0;
    add('tokens:imageInput', imageInput);
    add('tokens:textInput', usage.inputTextTokens ?? Math.max(0, (usage.inputTokens ?? 0) - imageInput));
    add('tokens:output', usage.outputTokens);
    // The part of the output that is text (output_tokens_details.text_tokens), priced apart.
    add('tokens:textOutput', usage.outputTextTokens);
  }
  return counts;
}

/**
 * The text-check counters rows added when they settled (jobs/check-text.ts addCounts), read back from
 * the rows: a re-render takes them back with the rows, so the re-checked images count once.
 */
export function textCheckCounts(rows: ReadonlyArray<{ locale: string; textStatus?: string | undefined; textCer?: number | '' | undefined }>): OutcomeCounts {
  const counts: OutcomeCounts = {};
  const add = (field: string, value: number): void => {
    if (value) counts[field] = (counts[field] ?? 0) + value;
  };
  for (const row of rows) {
    if (!row.textStatus) continue;
    add(`locale:${row.locale}:checked`, 1);
    add(`locale:${row.locale}:needsReview`, row.textStatus === 'needs_review' ? 1 : 0);
    add(`locale:${row.locale}:checkErrors`, row.textStatus === 'error' ? 1 : 0);
    if (typeof row.textCer === 'number') {
      add(`locale:${row.locale}:measured`, 1);
      add(`locale:${row.locale}:cerMicros`, Math.round(row.textCer * 1_000_000));
    }
    add('textNeedsReview', row.textStatus === 'needs_review' ? 1 : 0);
  }
  return counts;
}
