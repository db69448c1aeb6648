// The CLI under a real pseudo-terminal, as a person at a terminal runs it: util-linux `script`
// allocates the PTY (no native module needed), so stdout and stderr are both TTYs for the child.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliCommand } from './cli-build.js';
import { hermeticEnv, type CliResult } from './cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `polyglyph <args>` (built from the checkout's sources) inside `script -qfec`; the terminal's output (stdout and
 * stderr together, with the terminal's CRLF line ends turned back into LF) is in `stdout`.
 */
export function runCliInTerminal(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  const command = [...cliCommand(), ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: hermeticEnv({ ...env, TERM: 'dumb' }), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout.replace(/\r\n/g, '\n'), stderr });
    });
  });
}
