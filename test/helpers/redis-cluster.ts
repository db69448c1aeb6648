// A private 3-master Redis Cluster per test file: three `redis-server --cluster-enabled yes` on free
// ports (each with its own directory, nodes.conf and AOF), joined with
// `redis-cli --cluster create ... --cluster-replicas 0`. No replicas, so a node that is stopped and
// started again comes back with its own slots (nodes.conf) and data (AOF): a restart without failover.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { OutputTail, cleanupOnParentExit, killNow, oneAtATime, terminate, waitUntilReady } from '../../src/local-services/child-process.js';
import { freePort } from '../../src/local-services/free-port.js';

const run = promisify(execFile);
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => process.platform === 'linux' && existsSync(path));

export interface TestRedisCluster {
  /** `host:port,host:port,host:port`: what REDIS_CLUSTER_NODES takes. */
  nodes: string;
  ports: number[];
  /** `redis://` of the first node: REDIS_URL (credentials and TLS would come from here). */
  url: string;
  /** `CLUSTER INFO` of a node, parsed (cluster_state, cluster_slots_assigned, cluster_known_nodes...). */
  info(index?: number): Promise<Record<string, string>>;
  /** The port of the master serving `key`'s slot. */
  portOf(key: string): Promise<number>;
  /** Stops node `index` cleanly (SIGTERM), leaving its nodes.conf and AOF. */
  stopNode(index: number): Promise<void>;
  /** Starts node `index` again from its own directory, waits until the cluster says ok. */
  startNode(index: number): Promise<void>;
  /** Stops every node and removes the directories. Idempotent. */
  stop(): Promise<void>;
}

/** Starts three masters and creates the cluster; resolves once every node reports cluster_state:ok. */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const dirs: string[] = [];
  const ports: number[] = [];
  const children: Array<ChildProcess | undefined> = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(children.map((child) => (child ? terminate(child, STOP_GRACE_MS) : Promise.resolve())));
    await Promise.allSettled(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  try {
    for (let i = 0; i < 3; i++) {
      dirs.push(await mkdtemp(join(tmpdir(), `polyglyph-cluster-${i}-`)));
      ports.push(await clusterPort(ports));
    }
    for (let i = 0; i < 3; i++) children[i] = await launch(ports[i]!, dirs[i]!);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `${HOST}:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 60_000 });
    await waitForClusterOk(ports);
  } catch (error) {
    await stopAll();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  const serial = oneAtATime();
  return {
    nodes: ports.map((port) => `${HOST}:${port}`).join(','),
    ports,
    url: `redis://${HOST}:${ports[0]}`,
    info: async (index = 0) => parseInfo(await cli(ports[index]!, 'CLUSTER', 'INFO')),
    portOf: async (key) => {
      const slot = Number(await cli(ports[0]!, 'CLUSTER', 'KEYSLOT', key));
      for (const port of ports) {
        const owned = (await cli(port, 'CLUSTER', 'MYID')).trim();
        const nodes = await cli(port, 'CLUSTER', 'NODES');
        const mine = nodes.split('\n').find((line) => line.startsWith(owned));
        const ranges = mine?.split(' ').slice(8) ?? [];
        if (
          ranges.some((range) => {
            const [from, to = from] = range.split('-').map(Number);
            return slot >= from! && slot <= to!;
          })
        )
          return port;
      }
      throw new Error(`no master owns slot ${slot}`);
    },
    stopNode: (index) =>
      serial(async () => {
        const child = children[index];
        children[index] = undefined;
        if (child) await terminate(child, STOP_GRACE_MS);
      }),
    startNode: (index) =>
      serial(async () => {
        if (stopped) throw new Error('the test cluster was stopped');
        children[index] ??= await launch(ports[index]!, dirs[index]!);
        await waitForClusterOk(ports);
      }),
    stop: () => (stopped ??= serial(stopAll)),
  };
}

/** A free port whose cluster bus port (+10000) is free too. */
async function clusterPort(taken: number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort(HOST);
    if (port + 10_000 > 65_535 || taken.includes(port)) continue;
    if (await isFree(port + 10_000)) return port;
  }
  throw new Error('no free port pair (port, port + 10000) for a cluster node');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const redisArgs = [
    ...['--port', String(port), '--bind', HOST, '--dir', dir],
    ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
    // Longer than a restart takes on a busy machine: the others never mark the node failed.
    ...['--cluster-node-timeout', '30000'],
    ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
    ...['--maxmemory-policy', 'noeviction', '--daemonize', 'no'],
  ];
  const [command, args] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', 'redis-server', ...redisArgs]] : ['redis-server', redisArgs];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new OutputTail();
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  child.on('error', (error) => output.push(`${error.message}\n`));
  cleanupOnParentExit(child, () => child.kill('SIGKILL'));
  const outcome = await waitUntilReady(
    child,
    () =>
      cli(port, 'PING').then(
        (reply) => reply.trim() === 'PONG',
        () => false,
      ),
    { timeoutMs: READY_TIMEOUT_MS },
  );
  if (outcome === 'ready') return child;
  await killNow(child);
  throw new Error(`cluster node on ${HOST}:${port} ${outcome === 'exited' ? 'exited while starting' : 'did not answer PING in time'}:\n${output.text()}`);
}

async function waitForClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const states = await Promise.all(
      ports.map((port) =>
        cli(port, 'CLUSTER', 'INFO').then(
          (text) => parseInfo(text),
          () => ({}) as Record<string, string>,
        ),
      ),
    );
    if (states.every((state) => state.cluster_state === 'ok' && state.cluster_known_nodes === String(ports.length))) return;
    if (Date.now() > deadline) throw new Error(`cluster not ok within ${READY_TIMEOUT_MS} ms: ${JSON.stringify(states)}`);
    await sleep(200);
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

function parseInfo(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((line) => line.includes(':'))
      .map((line) => line.split(':', 2) as [string, string]),
  );
}
