import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSummary } from '../../reports/validate.ts';
import { allowedCpus } from '../../scenarios/load/cpu-pinning.ts';
import { externalServer, TargetRefused } from '../../scenarios/servers.ts';

const bin = fileURLToPath(new URL('../../bin/sessionproof.js', import.meta.url));
const outDir = await mkdtemp(join(tmpdir(), 'sessionproof-load-'));
afterAll(() => rm(outDir, { recursive: true, force: true }));

function sessionproof(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('sessionproof load', () => {
  it('runs a scenario, shows progress, prints the table and writes a valid summary.json', async () => {
    const { code, stdout, stderr } = await sessionproof([
      'load',
      'cart-contention',
      '--clients',
      '6',
      '--carts',
      '2',
      '--duration',
      '1.5',
      '--out',
      outDir,
    ]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/cart-contention: second 1: \d+ adds\/s/);
    expect(stdout).toMatch(/lost updates\s+0\s+== 0\s+pass/);
    expect(stdout).toContain('PASSED');
    const summary = validateSummary(JSON.parse(await readFile(join(outDir, 'summary.json'), 'utf8')));
    expect(summary.verdict).toBe('pass');
    expect(summary.run.target).toEqual({ kind: 'reference', store: 'memory', faults: [] });
    expect(summary.scenarios?.[0]?.load).toEqual({ model: 'closed', connections: 6 });
    expect(summary.scenarios?.[0]?.parameters).toEqual({ carts: 2, connections: 6, adapter: 'contract-v1' });
    expect(summary.checks.map((c) => c.name)).toEqual(['scenario cart-contention/memory: lost updates']);
  });

  it('refuses a target off this machine, with a usage error', async () => {
    const { code, stderr } = await sessionproof(['load', 'cart-contention', '--target', 'http://192.168.1.10:3000']);
    expect(code).toBe(2);
    expect(stderr).toContain('refusing --target 192.168.1.10: load scenarios only ever send load to this machine');
    for (const target of ['http://localhost:3000', 'http://example.com', 'http://127.0.0.2:3000', 'ftp://127.0.0.1/']) {
      expect(() => externalServer(target), target).toThrow(TargetRefused);
    }
    expect(externalServer('http://127.0.0.1:3000/x').url).toBe('http://127.0.0.1:3000');
    expect(externalServer('http://[::1]:3000').url).toBe('http://[::1]:3000');
  });

  it('rejects an unknown scenario and --fault with --target', async () => {
    expect((await sessionproof(['load', 'cart-storm'])).stderr).toContain('unknown scenario "cart-storm"');
    const both = await sessionproof([
      'load',
      'cart-contention',
      '--target',
      'http://127.0.0.1:1',
      '--fault',
      'cart-in-session',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--store and --fault apply only to the reference server');
  });

  it('pins the server and itself to their own CPUs with --pin-cpus, and says so in the report', async () => {
    const dir = join(outDir, 'pinned');
    const { code, stdout, stderr } = await sessionproof([
      'load',
      'cart-contention',
      '--clients',
      '4',
      '--duration',
      '1',
      '--pin-cpus',
      '--out',
      dir,
    ]);
    const allowed = allowedCpus();
    if (allowed.length < 2) {
      expect(code).toBe(2);
      expect(stderr).toContain('--pin-cpus needs at least 2 CPUs');
      return;
    }
    expect(code, stderr).toBe(0);
    const server = String(allowed.at(-1));
    const generator = allowed.slice(0, -1).join(',');
    expect(stderr).toContain(`pinned: the server to CPU ${server}, this load generator to CPU ${generator}`);
    const summary = validateSummary(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')));
    expect(summary.run.machine.pinning).toEqual({ server, generator });
    expect(summary.run.command).toContain('--pin-cpus');
    expect(stdout).toContain('PASSED');
  });

  it('refuses --pin-cpus with --target: it pins only the server it starts', async () => {
    const { code, stderr } = await sessionproof([
      'load',
      'cart-contention',
      '--target',
      'http://127.0.0.1:1',
      '--pin-cpus',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('--pin-cpus pins the reference server it starts');
  });
});
