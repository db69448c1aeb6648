import { isAbsolute, relative } from 'node:path';
import type { ReportRow } from '../runs/report-row.js';
import type { RunRecord, RunStore } from '../runs/run-store.js';
import { plural } from '../text/plural.js';
import { terminalValue } from '../text/terminal-text.js';

/** Failed items listed one per line after a run; the rest are in the report. */
export const FAILURES_SHOWN = 20;
/** An API's message is kept to about a line; the report keeps it whole. */
const MESSAGE_CHARS = 160;

/**
 * `samples/x.csv:3: refused (ja) failed: content_policy_violation: Your request was rejected ... (deployment gpt-image-2)`:
 * where in the manifest (as compilers print file:line, which editors open), which item and locale,
 * the error code, the message on one line, and the deployment that answered.
 */
export function formatFailure(manifest: string, row: ReportRow): string {
  // API errors' messages open with their status and code (`400 content_policy_violation: ...`): said once.
  const oneLine = row.errorMessage
    .replace(/\s+/g, ' ')
    .trim()
    .replace(new RegExp(`^(\\d{3} )?${escapeRegExp(row.errorCode)}: `), '');
  const message = oneLine.length > MESSAGE_CHARS ? `${oneLine.slice(0, MESSAGE_CHARS - 3)}...` : oneLine;
  const where = row.line > 0 ? `${manifest}:${row.line}` : manifest;
  const code = row.errorCode || 'failed';
  const deployment = row.deployment ? ` (deployment ${row.deployment})` : '';
  return terminalValue(`${where}: ${row.id} (${row.locale}) failed: ${code}${message ? `: ${message}` : ''}${deployment}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The manifest as the user can open it: relative to the working directory when it is under it. */
export function manifestShown(run: Pick<RunRecord, 'manifest' | 'manifestPath'>, cwd = process.cwd()): string {
  if (!run.manifestPath) return run.manifest;
  const relativePath = relative(cwd, run.manifestPath);
  return relativePath && !relativePath.startsWith('..') && !isAbsolute(relativePath) ? relativePath : run.manifestPath;
}

/** The run's failed items, one readable line each (the first FAILURES_SHOWN), and where the rest are. */
export async function printFailures(runStore: RunStore, run: RunRecord, out: NodeJS.WritableStream, limit = FAILURES_SHOWN): Promise<void> {
  if (run.itemsFailed === 0) return;
  const { rows, total } = await runStore.failures(run.id, limit);
  if (total === 0) return;
  out.write(`${plural(total, 'item')} failed:\n`);
  for (const row of rows) out.write(`  ${formatFailure(manifestShown(run), row)}\n`);
  if (total > rows.length) out.write(`  ... and ${total - rows.length} more: \`polyglyph report ${terminalValue(run.id)}\` lists each\n`);
}
