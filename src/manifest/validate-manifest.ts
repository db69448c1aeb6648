import type { LocaleCode } from '../locales/registry.js';
import type { ManifestIssue } from './manifest-issue.js';
import type { ManifestItem } from './manifest-item.js';
import type { ManifestDefaults } from './manifest-options.js';
import { readManifest } from './read-manifest.js';

/** Issues kept for printing; the counts cover all of them. */
export const MAX_REPORTED_ISSUES = 1000;

export interface ManifestSummary {
  file: string;
  /** Data rows (blank lines and the header not counted). */
  rows: number;
  /** Rows without errors. */
  items: number;
  /** Images the valid rows ask for: locales x variants. */
  images: number;
  imagesByLocale: Partial<Record<LocaleCode, number>>;
  errors: number;
  warnings: number;
  /** The first MAX_REPORTED_ISSUES issues, in file order. */
  issues: ManifestIssue[];
  truncatedIssues: number;
  /** Models the valid rows name (model cells and --models), each with the first line naming it. */
  modelLines: Record<string, number>;
  /** Valid rows that name no model (they use the run's default model), and the first of them. */
  rowsWithoutModel: number;
  firstLineWithoutModel?: number;
}

/** Reads the whole manifest (streaming) and sums it up; enqueues nothing. */
export async function validateManifest(path: string, defaults: ManifestDefaults, options: { onItem?: (item: ManifestItem) => void } = {}): Promise<ManifestSummary> {
  const summary: ManifestSummary = {
    file: path,
    rows: 0,
    items: 0,
    images: 0,
    imagesByLocale: {},
    errors: 0,
    warnings: 0,
    issues: [],
    truncatedIssues: 0,
    modelLines: Object.create(null) as Record<string, number>,
    rowsWithoutModel: 0,
  };
  for await (const event of readManifest(path, defaults)) {
    switch (event.type) {
      case 'item':
        options.onItem?.(event.item);
        summary.rows++;
        summary.items++;
        // Each named model gets every image of the row; none named: the run's one default model.
        for (const model of event.item.models ?? []) if (!Object.hasOwn(summary.modelLines, model)) summary.modelLines[model] = event.item.line;
        if (!event.item.models) {
          summary.rowsWithoutModel++;
          summary.firstLineWithoutModel ??= event.item.line;
        }
        for (const locale of event.item.locales) {
          const images = event.item.variants * (event.item.models?.length ?? 1);
          summary.images += images;
          summary.imagesByLocale[locale] = (summary.imagesByLocale[locale] ?? 0) + images;
        }
        break;
      case 'rejected-row':
        summary.rows++;
        break;
      case 'issue':
        if (event.issue.severity === 'error') summary.errors++;
        else summary.warnings++;
        if (summary.issues.length < MAX_REPORTED_ISSUES) summary.issues.push(event.issue);
        else summary.truncatedIssues++;
        break;
    }
  }
  return summary;
}
