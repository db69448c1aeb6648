// An embedded Azurite blob service: `polyglyph run` starts one when no storage is configured, and the
// integration tests start one per file. Only the blob service runs; Polyglyph uses nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ServiceUnavailableError } from '../errors/polyglyph-error.js';
import { resolveAzuriteCommand } from './azurite-bin.js';
import { OutputTail, cleanupOnParentExit, hasExited, killNow, oneAtATime, terminate, waitUntilReady } from './child-process.js';
import { freePort } from './free-port.js';

export { AzuriteNotInstalledError } from './azurite-bin.js';

/** Azurite's fixed development account; the key is public, documented by Microsoft. */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
/** Tries with a new free port when another process took the one we picked before Azurite bound it. */
const PORT_ATTEMPTS = 3;

/**
 * Loaded into the Azurite process before its own code (`node --import data:...`). It holds the read
 * end of a stdin pipe whose write end only we have, so it sees EOF whenever we go away: a clean exit,
 * a crash or a SIGKILL, none of which run 'exit' handlers reliably. It then asks Azurite to shut down
 * as SIGTERM would (Azurite saves its metadata database on close), and exits for good 5 s later.
 * `process.emit` rather than a real SIGTERM: Azurite listens with `once`, so a second real signal
 * (say ours, from stop(), followed by EOF) would hit Node's default handler and kill it mid-save.
 */
const PARENT_WATCHDOG = `data:text/javascript,${encodeURIComponent(
  [
    'let gone = false;',
    'const onParentGone = () => {',
    '  if (gone) return;',
    '  gone = true;',
    '  setTimeout(() => process.exit(0), 5000).unref();',
    "  process.emit('SIGTERM', 'SIGTERM');",
    '};',
    "process.stdin.on('end', onParentGone).on('close', onParentGone).on('error', onParentGone).resume();",
    'process.stdin.unref?.();',
  ].join('\n'),
)}`;

export interface AzuriteOptions {
  /**
   * Directory for Azurite's data (metadata databases and blob contents); created if missing and kept
   * after stop(). Default: a new temporary directory, removed by stop().
   */
  location?: string;
  /** Blob service port on 127.0.0.1. Default: a free port chosen by the system. */
  port?: number;
  /**
   * Default true: pass `--silent` (no access log) and keep Azurite's output to ourselves, for error
   * messages. false: log every request and copy Azurite's output to this process's stderr.
   */
  silent?: boolean;
  /** The `azurite-blob` executable. Default: `node_modules/.bin/azurite-blob` of the polyglyph package. */
  binPath?: string;
  /**
   * How long to wait for Azurite to answer before giving up. Default 30 s. Booting costs about two
   * CPU-seconds, so on saturated cores it can take most of a minute; the test suite's one shared
   * Azurite waits longer rather than failing every file.
   */
  readyTimeoutMs?: number;
}

export interface AzuriteProcess {
  /** `http://127.0.0.1:<port>/devstoreaccount1`. */
  readonly blobEndpoint: string;
  /** Connection string for the development account, for `BlobServiceClient.fromConnectionString`. */
  readonly connectionString: string;
  /** Absolute path of the data directory. */
  readonly location: string;
  readonly port: number;
  /** Process id of the running service (a new one after restart()); undefined once it has exited. */
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after 5 s; removes the data directory if it was a temporary one. Idempotent. */
  stop(): Promise<void>;
  /**
   * SIGKILL, as a crash would; the data directory stays, so restart() can follow. Azurite saves its
   * metadata every 5 s and on a clean stop, so blobs written in the last seconds may be lost: tests
   * that need data to survive should use restart(), which stops cleanly.
   */
  kill(): Promise<void>;
  /**
   * Stops (cleanly, if running) and starts again on the same port and location; data is kept.
   * `downMs`: stay stopped this long first (a storage outage of that length).
   */
  restart(options?: { downMs?: number }): Promise<void>;
}

/** Azurite did not come up: it exited while starting or did not answer in time (30 s unless told). */
export class AzuriteStartError extends ServiceUnavailableError {
  /** Azurite reported EADDRINUSE: something else took the port. */
  readonly addressInUse: boolean;

  constructor(message: string, output: string) {
    super(output ? `${message}. Azurite's last output:\n${output}` : message, {
      hint: 'set AZURE_STORAGE_CONNECTION_STRING to use another storage account or a running Azurite',
    });
    this.addressInUse = /EADDRINUSE/.test(output);
  }
}

/**
 * Starts Azurite's blob service as a child of this process and resolves once it answers HTTP.
 *
 * Always persists to a directory, never `--inMemoryPersistence`: restart() must keep data (tests
 * simulate a storage outage with it), and `polyglyph run` keeps `.polyglyph/azurite` between runs so
 * a re-run finds its images. A temporary directory costs little and is removed by stop().
 *
 * @throws AzuriteNotInstalledError when the executable is missing.
 * @throws AzuriteStartError when it exits early or does not answer within `readyTimeoutMs` (30 s).
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteProcess> {
  const command = resolveAzuriteCommand(options.binPath);
  const ownsLocation = options.location === undefined;
  const location = ownsLocation ? await mkdtemp(join(tmpdir(), 'polyglyph-azurite-')) : resolve(options.location ?? '.');
  if (!ownsLocation) await mkdir(location, { recursive: true });
  const silent = options.silent ?? true;
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;

  let child: ChildProcess | undefined;
  let port = options.port ?? 0;
  try {
    for (let attempt = 1; ; attempt++) {
      if (options.port === undefined) port = await freePort(HOST);
      try {
        child = await launch({ ...command, port, location, silent, readyTimeoutMs });
        break;
      } catch (error) {
        const retry = options.port === undefined && attempt < PORT_ATTEMPTS && error instanceof AzuriteStartError && error.addressInUse;
        if (!retry) throw error;
      }
    }
  } catch (error) {
    if (ownsLocation) await rm(location, { recursive: true, force: true });
    throw error;
  }

  const blobEndpoint = `http://${HOST}:${port}/${AZURITE_ACCOUNT_NAME}`;
  let stopped: Promise<void> | undefined;
  // kill/restart/stop change `child`; run them one at a time so none sees a half-done state.
  const serial = oneAtATime();

  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    location,
    port,
    get pid() {
      return child && !hasExited(child) ? child.pid : undefined;
    },
    stop: () =>
      (stopped ??= serial(async () => {
        if (child) await terminate(child, STOP_GRACE_MS);
        if (ownsLocation) await rm(location, { recursive: true, force: true });
      })),
    kill: () =>
      serial(async () => {
        if (child) await killNow(child);
      }),
    restart: (restartOptions = {}) =>
      serial(async () => {
        if (stopped) throw new Error(`Azurite on port ${port} was stopped; start a new one instead of restarting it`);
        if (child) await terminate(child, STOP_GRACE_MS);
        if (restartOptions.downMs) await new Promise((resolve) => setTimeout(resolve, restartOptions.downMs));
        child = await launch({ ...command, port, location, silent, readyTimeoutMs });
      }),
  };
}

interface LaunchOptions {
  command: string;
  args: string[];
  isNodeScript: boolean;
  port: number;
  location: string;
  silent: boolean;
  readyTimeoutMs: number;
}

async function launch(options: LaunchOptions): Promise<ChildProcess> {
  const azuriteArgs = [
    ...['--blobHost', HOST, '--blobPort', String(options.port), '--location', options.location],
    '--skipApiVersionCheck', // the storage SDK may be newer than this Azurite release
    '--loose', // ignore headers Azurite does not implement rather than failing the request
    '--disableTelemetry', // on by default since 3.34: a local dev service should not phone home
    ...(options.silent ? ['--silent'] : []),
  ];
  const args = options.isNodeScript ? ['--import', PARENT_WATCHDOG, ...options.args, ...azuriteArgs] : [...options.args, ...azuriteArgs];
  // detached: false keeps Azurite in our process group, so a Ctrl-C in the terminal reaches it too.
  const child = spawn(options.command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: false, windowsHide: true });
  const stdout = new OutputTail();
  const stderr = new OutputTail();
  // Always drain both pipes: a child blocked on a full pipe stops answering requests.
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    if (!options.silent) process.stderr.write(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    if (!options.silent) process.stderr.write(chunk);
  });
  child.stdin?.on('error', () => {}); // EPIPE after the child is gone: nothing to do
  child.on('error', (error) => stderr.push(`${error.message}\n`));
  // With the watchdog, closing its stdin is enough (and the pipe closes by itself if we are killed);
  // without it (a non-Node binPath) all we can do is signal it as we exit.
  cleanupOnParentExit(child, () => (options.isNodeScript ? child.stdin?.destroy() : child.kill('SIGTERM')));

  const outcome = await waitUntilReady(child, () => answersHttp(options.port), { timeoutMs: options.readyTimeoutMs });
  if (outcome === 'ready') return child;
  const output = stderr.text() || stdout.text();
  if (outcome === 'exited') {
    const status = child.exitCode ?? child.signalCode ?? 'spawn failed';
    throw new AzuriteStartError(`Azurite exited (${status}) before it answered on ${HOST}:${options.port}`, output);
  }
  await killNow(child);
  throw new AzuriteStartError(`Azurite did not answer on ${HOST}:${options.port} within ${options.readyTimeoutMs / 1000} s`, output);
}

/** Any HTTP response at all (Azurite answers 403 to an unsigned request) means it is serving. */
function answersHttp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path: `/${AZURITE_ACCOUNT_NAME}?comp=list`, method: 'GET', agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
