import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer } from '../../scenarios/load/child-server.ts';
import {
  allowedCpus,
  parseCpuList,
  pinnedCommand,
  pinProcess,
  PinningRefused,
  planPinning,
} from '../../scenarios/load/cpu-pinning.ts';
import { servers } from '../../scenarios/bench/targets.ts';

const dir = await mkdtemp(join(tmpdir(), 'sessionproof-pinning-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cpusOf(pid: number): Promise<number[]> {
  return allowedCpus(`/proc/${pid}/status`);
}

describe('CPU pinning', () => {
  it('reads Linux CPU lists', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList('1')).toEqual([1]);
    expect(parseCpuList(' 4,0-1 \n')).toEqual([0, 1, 4]);
    for (const bad of ['', 'a', '3-1', '1,,2']) expect(() => parseCpuList(bad), bad).toThrow(PinningRefused);
  });

  it('gives the server the last CPU and the generator the rest, and refuses a single CPU', () => {
    expect(planPinning([0, 1])).toEqual({ server: [1], generator: [0] });
    expect(planPinning([2, 3, 5, 7])).toEqual({ server: [7], generator: [2, 3, 5] });
    expect(() => planPinning([0])).toThrow('--pin-cpus needs at least 2 CPUs');
  });

  it("reads a process's allowed CPUs from its status file, and says why when it cannot", async () => {
    const status = join(dir, 'status');
    await writeFile(status, 'Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n');
    expect(allowedCpus(status)).toEqual([0, 1]);
    expect(() => allowedCpus(join(dir, 'missing'))).toThrow('works on Linux only');
    await writeFile(status, 'Name:\tnode\n');
    expect(() => allowedCpus(status)).toThrow('names no Cpus_allowed_list');
  });

  it('pins every thread of a running process, and refuses a process that is not there in one line', async () => {
    const target = allowedCpus()[0]!;
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      pinProcess(child.pid!, [target]);
      expect(await cpusOf(child.pid!)).toEqual([target]);
    } finally {
      child.kill();
    }
    expect(() => pinProcess(2 ** 22 + 1, [target])).toThrow(`--pin-cpus: process ${2 ** 22 + 1} is not running`);
  });

  it('starts a child server pinned from its first instruction', async () => {
    const cpus = [allowedCpus().at(-1)!];
    expect(pinnedCommand(cpus, 'node', ['a.js'])).toEqual({
      command: 'taskset',
      args: ['-c', String(cpus[0]), 'node', 'a.js'],
    });
    const child = await startChildServer({ module: servers.bareNode.module, cpus });
    try {
      expect(await cpusOf(child.pid)).toEqual(cpus);
      expect((await fetch(child.url)).status).toBe(200);
      const threads = await readFile(`/proc/${child.pid}/status`, 'utf8');
      expect(Number(/^Threads:\s*(\d+)/m.exec(threads)?.[1])).toBeGreaterThan(1);
    } finally {
      await child.stop();
    }
  });
});
