import type { ManifestPlan } from '../cost/estimate.js';
import type { ManifestIssue } from '../manifest/manifest-issue.js';
import type { ManifestSummary } from '../manifest/validate-manifest.js';
import { terminalText } from '../text/terminal-text.js';

/** One issue as `validate --json` prints it: a manifest issue whose `hint` is named `fix`, as in the text form. */
export type JsonIssue = Omit<ManifestIssue, 'hint'> & { fix: string };

/**
 * What `validate --json` prints: one JSON document on stdout, whatever the outcome, so a script reads
 * the same shape for a clean manifest, a broken one and one refused later (models not served,
 * over --max-cost: `error`). `valid` is true exactly when the exit code is 0.
 */
export interface ValidationJson {
  file: string;
  valid: boolean;
  summary: Pick<ManifestSummary, 'rows' | 'items' | 'images' | 'imagesByLocale' | 'errors' | 'warnings'> & { issuesNotShown: number };
  issues: JsonIssue[];
  /** The plan of a manifest without errors: images, estimated cost (US dollars; null without a price) and duration. */
  plan?: (Omit<ManifestPlan, 'costMicros' | 'costByLocale'> & { costUsd: number | null; costByLocaleUsd: Record<string, number> | null }) | undefined;
  /** Why a manifest without errors is still refused (exit 2), with how to fix it. */
  error?: { message: string; fix: string | undefined } | undefined;
}

export function validationJson(summary: ManifestSummary, plan?: ManifestPlan, error?: { message: string; hint?: string | undefined }): ValidationJson {
  return {
    file: summary.file,
    valid: summary.errors === 0 && error === undefined,
    summary: {
      rows: summary.rows,
      items: summary.items,
      images: summary.images,
      imagesByLocale: summary.imagesByLocale,
      errors: summary.errors,
      warnings: summary.warnings,
      issuesNotShown: summary.truncatedIssues,
    },
    issues: summary.issues.map(({ hint, ...where }) => ({ ...where, fix: hint })),
    plan: plan && jsonPlan(plan),
    error: error && { message: error.message, fix: error.hint },
  };
}

function jsonPlan({ costMicros, costByLocale, ...rest }: ManifestPlan): NonNullable<ValidationJson['plan']> {
  const usd = (micros: number): number => micros / 1_000_000;
  return {
    ...rest,
    costUsd: costMicros === undefined ? null : usd(costMicros),
    costByLocaleUsd: costByLocale === undefined ? null : Object.fromEntries(Object.entries(costByLocale).map(([locale, micros]) => [locale, usd(micros)])),
  };
}

/** The document as printed: indented, and terminal-safe (escapes stay valid JSON; see terminal-text.ts). */
export function formatValidationJson(document: ValidationJson): string {
  return `${terminalText(JSON.stringify(document, null, 2))}\n`;
}
