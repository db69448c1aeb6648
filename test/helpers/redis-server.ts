// A private redis-server per test file, on a free port with its own data directory: tests never touch
// a Redis someone else is using (6379 on a dev machine), and can kill and restart it at will.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputTail, cleanupOnParentExit, hasExited, killNow, oneAtATime, terminate, waitUntilReady } from '../../src/local-services/child-process.js';
import { freePort } from '../../src/local-services/free-port.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 3;
/**
 * util-linux's `setpriv --pdeathsig KILL` execs redis-server with the kernel's parent-death signal
 * set, so a test process that is itself SIGKILLed (a vitest timeout) cannot leave Redis behind.
 * Linux only; elsewhere the 'exit' hook is all we have.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => process.platform === 'linux' && existsSync(path));

export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Data directory (the AOF lives in `appendonlydir/` under it). */
  dir: string;
  /** Process id of the running server (a new one after restart()); undefined once it has exited. */
  readonly pid: number | undefined;
  /** SIGTERM (SIGKILL after 5 s) and remove the data directory. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; the data directory stays, so restart() can follow. */
  kill(): Promise<void>;
  /** Stop (cleanly, if running) and start again on the same port and directory; AOF data is kept. */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /** AOF with fsync on every write, as production should run; default true. false: nothing on disk (benchmarks). */
  appendonly?: boolean;
}

/** Starts `redis-server` (from PATH) as a child process and resolves once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'polyglyph-redis-'));
  const appendonly = options.appendonly ?? true;
  let child: ChildProcess | undefined;
  let port = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort(HOST);
      try {
        child = await launch(port, dir, appendonly);
        break;
      } catch (error) {
        if (!(attempt < PORT_ATTEMPTS && error instanceof Error && /Address already in use/i.test(error.message))) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped: Promise<void> | undefined;
  // kill/restart/stop change `child`; run them one at a time so none sees a half-done state.
  const serial = oneAtATime();
  return {
    url: `redis://${HOST}:${port}`,
    port,
    dir,
    get pid() {
      return child && !hasExited(child) ? child.pid : undefined;
    },
    stop: () =>
      (stopped ??= serial(async () => {
        if (child) await terminate(child, STOP_GRACE_MS);
        await rm(dir, { recursive: true, force: true });
      })),
    kill: () =>
      serial(async () => {
        if (child) await killNow(child);
      }),
    restart: () =>
      serial(async () => {
        if (stopped) throw new Error(`test redis on port ${port} was stopped; start a new one`);
        if (child) await terminate(child, STOP_GRACE_MS);
        child = await launch(port, dir, appendonly);
      }),
  };
}

async function launch(port: number, dir: string, appendonly: boolean): Promise<ChildProcess> {
  const redisArgs = [
    ...['--port', String(port), '--bind', HOST, '--dir', dir],
    ...(appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...['--save', ''], // no RDB snapshots: the AOF is the durability under test
    ...['--maxmemory-policy', 'noeviction'], // BullMQ requires it; evicted job keys corrupt queues
    ...['--daemonize', 'no'],
  ];
  const [command, args] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', 'redis-server', ...redisArgs]] : ['redis-server', redisArgs];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  const output = new OutputTail();
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  child.on('error', (error) => output.push(`${error.message}\n`));
  cleanupOnParentExit(child, () => child.kill('SIGKILL'));

  const outcome = await waitUntilReady(child, () => answersPing(port), { timeoutMs: READY_TIMEOUT_MS });
  if (outcome === 'ready') return child;
  await killNow(child);
  const hint = /ENOENT/.test(output.text()) ? ' (is redis-server installed and on PATH? apt-get install redis-server / brew install redis)' : '';
  throw new Error(`redis-server on ${HOST}:${port} ${outcome === 'exited' ? 'exited while starting' : 'did not answer PING in time'}${hint}:\n${output.text()}`);
}

/** A raw PING: +PONG means ready (while loading the AOF Redis answers -LOADING instead). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const finish = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}
