/** Exit codes of the CLI (documented in docs/commands.md and `--help`): keep them stable, scripts depend on them. */
export const EXIT = { ok: 0, itemsFailed: 1, badInput: 2, interrupted: 130 } as const;

let exitCode: number = EXIT.ok;

/** Commands report their outcome here; main() returns it. */
export function setExitCode(code: number): void {
  exitCode = code;
}

export function takeExitCode(): number {
  const code = exitCode;
  exitCode = EXIT.ok;
  return code;
}
