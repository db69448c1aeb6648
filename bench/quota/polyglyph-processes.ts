// Polyglyph run the way a user runs it: `polyglyph enqueue` and `polyglyph worker` as separate
// processes (from source, through the same entry the CLI tests use), configured only by environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OutputTail, cleanupOnParentExit, exited, hasExited, terminate } from '../../src/local-services/child-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * `source`: the CLI from the TypeScript sources through tsx (no build needed; each start compiles).
 * `built`: bin/polyglyph.js on dist/, as an installed polyglyph runs (`npm run build` first). A bench
 * that starts a worker every few seconds uses the built one: a tsx start costs several CPU seconds.
 */
export type CliEntry = 'source' | 'built';
const CLI_ENTRIES: Readonly<Record<CliEntry, string[]>> = { source: ['--import', 'tsx', 'test/helpers/cli-entry.ts'], built: ['bin/polyglyph.js'] };
/** The first SIGTERM lets in-flight jobs finish; after a completed run there are none, so this only bounds a hang. */
const STOP_GRACE_MS = 20_000;
const ENQUEUE_TIMEOUT_MS = 120_000;
/**
 * `setpriv --pdeathsig TERM` makes the kernel send SIGTERM to a worker whose parent (this bench) dies
 * without running any cleanup (SIGKILL, OOM): no orphaned workers polling Redis afterwards. Linux only.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => process.platform === 'linux' && existsSync(path));

/** Settings a scenario gives Polyglyph; each becomes the environment variable a user would set. */
export interface PolyglyphEnvironment {
  REDIS_URL: string;
  POLYGLYPH_QUEUE_PREFIX: string;
  POLYGLYPH_CONTAINER: string;
  AZURE_STORAGE_CONNECTION_STRING: string;
  AZURE_OPENAI_ENDPOINT?: string;
  AZURE_OPENAI_DEPLOYMENT?: string;
  AZURE_OPENAI_API_KEY?: string;
  POLYGLYPH_IMAGES_PER_MINUTE?: string;
  POLYGLYPH_CONCURRENCY?: string;
  POLYGLYPH_DEPLOYMENTS_FILE?: string;
  /** Anything else a bench sets (the soak's timeouts, attempts, stalled interval). */
  [name: `POLYGLYPH_${string}`]: string | undefined;
}

/**
 * Our variables on top of a clean copy of this process's environment: any AZURE_*, POLYGLYPH_* or
 * REDIS_URL of the person running the bench (a real endpoint, a real key) must not leak into it.
 */
function childEnvironment(settings: PolyglyphEnvironment): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AZURE_|POLYGLYPH_|REDIS_URL$)/.test(name)));
  const ours = Object.fromEntries(Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { ...inherited, POLYGLYPH_LOG_LEVEL: 'warn', ...ours };
}

function spawnCli(args: string[], settings: PolyglyphEnvironment, entry: CliEntry): ChildProcess {
  const node = [process.execPath, ...CLI_ENTRIES[entry], ...args];
  const [command, commandArgs] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'TERM', ...node]] : [node[0]!, node.slice(1)];
  const child = spawn(command, commandArgs, { cwd: ROOT, env: childEnvironment(settings), stdio: ['ignore', 'pipe', 'pipe'] });
  cleanupOnParentExit(child, () => child.kill('SIGKILL'));
  return child;
}

/** `polyglyph enqueue <manifest>`; resolves with the run id it prints. */
export async function enqueue(manifest: string, settings: PolyglyphEnvironment, signal: AbortSignal, entry: CliEntry = 'source'): Promise<string> {
  const child = spawnCli(['enqueue', manifest], settings, entry);
  let stdout = '';
  const stderr = new OutputTail();
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const stop = (): void => void terminate(child, 5_000);
  signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, ENQUEUE_TIMEOUT_MS);
  try {
    await exited(child);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
  signal.throwIfAborted();
  const runId = stdout.trim().split('\n').at(-1)?.trim();
  if (child.exitCode !== 0 || !runId) throw new Error(`polyglyph enqueue exited with ${child.exitCode ?? child.signalCode}:\n${stderr.text()}`);
  return runId;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From SIGTERM to exit; undefined when the worker had exited by itself. */
  stopMs: number | undefined;
}

/** One `polyglyph worker` process. Its JSON log lines are tallied by message, for the diagnosis. */
export class WorkerProcess {
  readonly output = new OutputTail(20);
  readonly logCounts = new Map<string, number>();
  private readonly child: ChildProcess;
  private partial = '';
  private stopped: Promise<WorkerExit> | undefined;

  constructor(
    readonly index: number,
    settings: PolyglyphEnvironment,
    entry: CliEntry = 'source',
  ) {
    this.child = spawnCli(['worker'], settings, entry);
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.onStderr(chunk));
  }

  get hasExited(): boolean {
    return hasExited(this.child);
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL, as a crash or the OOM killer would; resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGKILL');
    await exited(this.child);
  }

  /** SIGTERM, as a user's Ctrl-C or a container stop would send; SIGKILL if it is still there after the grace. */
  stop(): Promise<WorkerExit> {
    this.stopped ??= (async () => {
      const alreadyExited = this.hasExited;
      const started = Date.now();
      await terminate(this.child, STOP_GRACE_MS);
      return { code: this.child.exitCode, signal: this.child.signalCode, stopMs: alreadyExited ? undefined : Date.now() - started };
    })();
    return this.stopped;
  }

  private onStderr(chunk: Buffer): void {
    this.output.push(chunk);
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const message = logMessage(line);
      if (message !== undefined) this.logCounts.set(message, (this.logCounts.get(message) ?? 0) + 1);
    }
  }
}

function logMessage(line: string): string | undefined {
  if (!line.startsWith('{')) return line.trim() === '' ? undefined : line.slice(0, 120);
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; level?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : undefined;
  } catch {
    return line.slice(0, 120);
  }
}
