import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pinnedCommand } from './cpu-pinning.ts';
import { ProcessMeter, type ProcessUsage } from './process-meter.ts';

/**
 * Servers under load run in their own process, so the load generator and the server never share an event loop
 * (or a CPU core they could share fairly). The parent starts a server module with `startChildServer`; the module
 * calls `serveInChild`, which reports the URL it listens on over IPC and shuts down cleanly on SIGTERM (so
 * `--cpu-prof` and similar flags get to write their output).
 */

export interface ChildServerOptions {
  /** The module to run: a file that calls `serveInChild`. */
  module: URL;
  /** Arguments the module reads from `process.argv.slice(2)`. */
  args?: string[];
  /** Extra flags for node itself, e.g. `['--cpu-prof', '--cpu-prof-dir', dir]`. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** CPUs the child is pinned to from its start (cpu-pinning.ts); anywhere when absent. */
  cpus?: readonly number[];
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface ChildServer {
  url: string;
  pid: number;
  /** The child's CPU time so far (user + system, microseconds): the server's own cost, whatever else runs. */
  cpuUsage(): Promise<number>;
  /** The child's memory now; after a full GC first when the child runs with `--expose-gc` (a steadier figure). */
  memoryUsage(): Promise<ChildMemory>;
  /** The child's CPU time and event-loop delay since the previous call (or since it started). */
  usage(): Promise<ProcessUsage>;
  /** SIGTERM, then SIGKILL if the child has not exited within the stop timeout. */
  stop(): Promise<void>;
}

interface ReadyMessage {
  type: 'ready';
  url: string;
}

interface CpuMessage {
  type: 'cpu';
  micros: number;
}

export interface ChildMemory {
  rssBytes: number;
  heapUsedBytes: number;
}

interface MemoryMessage extends ChildMemory {
  type: 'memory';
}

interface UsageMessage extends ProcessUsage {
  type: 'usage';
}

/** The project root: children run from it so `--import tsx` resolves from this project's node_modules. */
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const nodeArgs = [
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx',
    fileURLToPath(options.module),
    ...(options.args ?? []),
  ];
  const { command, args } = options.cpus
    ? pinnedCommand(options.cpus, process.execPath, nodeArgs)
    : { command: process.execPath, args: nodeArgs };
  const child = spawn(command, args, {
    cwd: projectRoot,
    env: options.env ?? process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await waitForReady(child, options.startTimeoutMs ?? 30_000);
    return {
      url,
      pid: child.pid!,
      cpuUsage: async () => (await ask<CpuMessage>(child, 'cpu', 'its CPU usage')).micros,
      memoryUsage: async () => {
        const { rssBytes, heapUsedBytes } = await ask<MemoryMessage>(child, 'memory', 'its memory');
        return { rssBytes, heapUsedBytes };
      },
      usage: async () => {
        const { cpuMicros, loopDelayMs, gcMs } = await ask<UsageMessage>(
          child,
          'usage',
          'its CPU and event-loop delay',
        );
        return { cpuMicros, loopDelayMs, gcMs };
      },
      stop: () => stopChild(child, exited, options.stopTimeoutMs ?? 10_000),
    };
  } catch (error) {
    await stopChild(child, exited, 1000);
    throw error;
  }
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`child server did not report ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: unknown) => {
      if (isReady(message)) finish(null, message.url);
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`child server exited before it was ready (code ${code}, signal ${signal})`));
    const onError = (error: Error) => finish(error);
    function finish(error: Error | null, url?: string) {
      clearTimeout(timer);
      child.off('message', onMessage).off('exit', onExit).off('error', onError);
      if (error) reject(error);
      else resolve(url!);
    }
    child.on('message', onMessage).once('exit', onExit).once('error', onError);
  });
}

const isReady = isReply<ReadyMessage>('ready');

function isReply<T extends { type: string }>(type: T['type']): (message: unknown) => message is T {
  return (message): message is T =>
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

const isCpu = isReply<CpuMessage>('cpu');
const isMemory = isReply<MemoryMessage>('memory');
const isUsage = isReply<UsageMessage>('usage');

/** Sends `{type}` to the child and waits for its reply of the same type. */
function ask<T extends { type: string }>(child: ChildProcess, type: T['type'], what: string): Promise<T> {
  const isWanted = isReply<T>(type);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`child server did not report ${what} within 5 s`)), 5000);
    const onMessage = (message: unknown) => {
      if (isWanted(message)) finish(null, message);
    };
    function finish(error: Error | null, reply?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (error) reject(error);
      else resolve(reply!);
    }
    child.on('message', onMessage);
    child.send({ type });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
  if (await Promise.race([exited.then(() => false), timedOut])) {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

export interface ServedInChild {
  /** Starts listening on 127.0.0.1 and resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The child side: listens, reports the URL to the parent, and closes on SIGTERM or when the parent goes away
 * (so a crashed load generator never leaves servers behind).
 */
export async function serveInChild(server: ServedInChild): Promise<void> {
  if (!process.send) throw new Error('serveInChild: not started by startChildServer (no IPC channel)');
  const url = await server.listen();
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close());
  process.on('disconnect', () => void close());
  const meter = new ProcessMeter();
  process.on('message', (message) => {
    if (isUsage(message)) {
      process.send!({ type: 'usage', ...meter.lap() } satisfies UsageMessage);
      return;
    }
    if (isMemory(message)) {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send!({ type: 'memory', rssBytes: rss, heapUsedBytes: heapUsed } satisfies MemoryMessage);
      return;
    }
    if (!isCpu(message)) return;
    const { user, system } = process.cpuUsage();
    process.send!({ type: 'cpu', micros: user + system } satisfies CpuMessage);
  });
  process.send({ type: 'ready', url } satisfies ReadyMessage);
}

/** Listens on an ephemeral loopback port with keep-alive long enough that load connections are never cut. */
export async function listenOnLoopback(server: Server): Promise<string> {
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
