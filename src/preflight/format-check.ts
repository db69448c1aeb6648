import type { CheckReport, CheckStatus, TargetReport } from './check-report.js';

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** The report as text: one block per deployment and one for storage, each line with its fix. */
export function formatCheckReport(report: CheckReport): string {
  const verdict = report.failures > 0 ? 'not ready' : 'ready';
  return `${formatTargets(report.targets)}${verdict}: ${report.failures} failure${report.failures === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'} (exit ${report.exitCode})\n`;
}

/** Blocks of check lines, each followed by an empty line. */
export function formatTargets(targets: readonly TargetReport[]): string {
  const out: string[] = [];
  for (const target of targets) {
    const about = Object.entries(target.about)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ');
    out.push(`${target.kind === 'deployment' ? `deployment ${target.name}` : 'storage'} (${about})`);
    const width = Math.max(...target.checks.map((check) => check.check.length));
    for (const check of target.checks) {
      out.push(`  ${MARK[check.status]}  ${check.check.padEnd(width)}  ${check.detail}`);
      if (check.fix && check.status !== 'ok') out.push(`        ${' '.repeat(width)}  fix: ${check.fix}`);
    }
    out.push('');
  }
  return out.map((text) => `${text}\n`).join('');
}
