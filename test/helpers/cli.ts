import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliCommand } from './cli-build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The test process's environment without any Polyglyph, Azure or Redis setting, so a child sees
 * only what its test gives it, whatever the shell that ran the tests had exported.
 */
export function hermeticEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(POLYGLYPH_|AZURE_|REDIS_URL$|REDIS_CLUSTER_NODES$)/.test(name)));
  return { ...inherited, ...env };
}

/** Runs the CLI built from the checkout's sources (cli-build.ts) in a child process, as a user would run `polyglyph ...`. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return startCli(args, env, timeoutMs).result;
}

export interface StartedCli {
  child: ChildProcess;
  /** Output so far, while the command runs. */
  output(): { stdout: string; stderr: string };
  /** Settles when the process has exited (killed with SIGKILL after `timeoutMs`, code null then). */
  result: Promise<CliResult>;
}

/** Starts the CLI built from the checkout's sources and hands back the process, for tests that signal it while it runs. */
export function startCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): StartedCli {
  const [node, entry] = cliCommand();
  const child = spawn(node, [entry, ...args], {
    cwd: ROOT,
    env: hermeticEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, output: () => ({ stdout, stderr }), result };
}
