import { formatIssue } from '../manifest/manifest-issue.js';
import type { ManifestSummary } from '../manifest/validate-manifest.js';
import { terminalValue } from '../text/terminal-text.js';

/** Prints every issue of a validation (stderr) and the counts per locale (stdout). */
export function printSummary(summary: ManifestSummary, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): void {
  for (const issue of summary.issues) err.write(`${formatIssue(issue)}\n`);
  if (summary.truncatedIssues > 0) err.write(`... and ${summary.truncatedIssues} more issues not shown\n`);
  const perLocale = Object.entries(summary.imagesByLocale).map(([locale, count]) => `${locale} ${count}`).join(', ');
  out.write(
    `${terminalValue(summary.file)}: ${summary.rows} rows, ${summary.items} valid, ${summary.images} image${summary.images === 1 ? '' : 's'}${perLocale ? ` (${perLocale})` : ''}; ` +
      `${summary.errors} error${summary.errors === 1 ? '' : 's'}, ${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}\n`,
  );
}
