import { formatIssue } from '../manifest/manifest-issue.js';
import { plural } from '../text/plural.js';
import type { ManifestSummary } from '../manifest/validate-manifest.js';
import { terminalValue } from '../text/terminal-text.js';

/** Prints every issue of a validation (stderr) and the counts per locale (stdout). */
export function printSummary(summary: ManifestSummary, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): void {
  for (const issue of summary.issues) err.write(`${formatIssue(issue)}\n`);
  if (summary.truncatedIssues > 0) err.write(`... and ${plural(summary.truncatedIssues, 'more issue')} not shown\n`);
  const perLocale = Object.entries(summary.imagesByLocale)
    .map(([locale, count]) => `${locale} ${count}`)
    .join(', ');
  out.write(
    `${terminalValue(summary.file)}: ${plural(summary.rows, 'row')}, ${summary.items} valid, ${plural(summary.images, 'image')}${perLocale ? ` (${perLocale})` : ''}; ` +
      `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}\n`,
  );
}
