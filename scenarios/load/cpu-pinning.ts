import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Which CPUs the server and the load generator keep to. On a small machine the two otherwise trade cores at the
 * scheduler's whim: a second in which both land on one core looks like a slow server, and a ratio between two
 * windows measures the scheduler as much as the server. Pinned, each process (with its GC and helper threads)
 * keeps its own cores; a store server (Redis, PostgreSQL) is left where the OS puts it.
 */
export interface CpuPinning {
  server: number[];
  generator: number[];
}

/** Pinning cannot be done here: the message is one line for the person who asked for it. */
export class PinningRefused extends Error {}

/** A Linux CPU list ("0-3,6") as CPU numbers, ascending. */
export function parseCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.trim().split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!range) throw new PinningRefused(`not a CPU list: "${list}"`);
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) throw new PinningRefused(`not a CPU list: "${list}"`);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

export function formatCpuList(cpus: readonly number[]): string {
  return cpus.join(',');
}

/**
 * The server gets the last allowed CPU to itself and the generator the rest: the server is what is measured, and
 * one core is what a single Node process's event loop can use.
 */
export function planPinning(allowed: readonly number[]): CpuPinning {
  if (allowed.length < 2)
    throw new PinningRefused(
      `--pin-cpus needs at least 2 CPUs to give the server and the load generator their own; this process may use ${allowed.length}`,
    );
  return { server: [allowed[allowed.length - 1]!], generator: allowed.slice(0, -1) };
}

/** The CPUs this process may run on (its affinity, not the machine's count). */
export function allowedCpus(statusFile = '/proc/self/status'): number[] {
  let status: string;
  try {
    status = readFileSync(statusFile, 'utf8');
  } catch {
    throw new PinningRefused(`--pin-cpus works on Linux only: ${statusFile} cannot be read`);
  }
  const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
  if (list === undefined) throw new PinningRefused(`--pin-cpus: ${statusFile} names no Cpus_allowed_list`);
  return parseCpuList(list);
}

/**
 * Pins every thread of process `pid` to `cpus`; threads it starts later inherit the pinning. `taskset -a` reports
 * success for a process that is not there (it pins none of its threads), so the result is read back.
 */
export function pinProcess(pid: number, cpus: readonly number[]): void {
  runTaskset(['-a', '-p', '-c', formatCpuList(cpus), String(pid)]);
  let now: number[];
  try {
    now = allowedCpus(`/proc/${pid}/status`);
  } catch {
    throw new PinningRefused(`--pin-cpus: process ${pid} is not running`);
  }
  if (formatCpuList(now) !== formatCpuList(cpus))
    throw new PinningRefused(
      `--pin-cpus: process ${pid} runs on CPU ${formatCpuList(now)}, not ${formatCpuList(cpus)}`,
    );
}

/** The command and arguments that start `command` pinned to `cpus` from its first instruction. */
export function pinnedCommand(
  cpus: readonly number[],
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return { command: 'taskset', args: ['-c', formatCpuList(cpus), command, ...args] };
}

function runTaskset(args: string[]): void {
  try {
    execFileSync('taskset', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: Buffer };
    if (code === 'ENOENT') throw new PinningRefused('--pin-cpus needs taskset (util-linux), which is not installed');
    throw new PinningRefused(`--pin-cpus: taskset ${args.join(' ')} failed: ${String(stderr ?? '').trim()}`);
  }
}

/** Plans the split for this process's CPUs and pins this process (the load generator) to its share. */
export function pinGenerator(): CpuPinning {
  const pinning = planPinning(allowedCpus());
  pinProcess(process.pid, pinning.generator);
  return pinning;
}
