import { terminalValue } from '../text/terminal-text.js';

/** One problem found in a manifest, located precisely enough to jump to it in an editor. */
export interface ManifestIssue {
  file: string;
  /** 1-based line where the field (or record) starts. */
  line: number;
  /** 1-based column, in characters, where the field starts. */
  column: number;
  severity: 'error' | 'warning';
  /** Stable identifier for scripts, e.g. `unknown-locale`. */
  code: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  hint: string;
}

/**
 * `file:line:column: error: message (code); fix: hint` — the form compilers use, so editors link it.
 * Terminal-safe: messages quote manifest values (header names, ids, cells), which may hold escapes.
 */
export function formatIssue(issue: ManifestIssue): string {
  return `${terminalValue(issue.file)}:${issue.line}:${issue.column}: ${issue.severity}: ${terminalValue(issue.message)} (${issue.code}); fix: ${terminalValue(issue.hint)}`;
}
