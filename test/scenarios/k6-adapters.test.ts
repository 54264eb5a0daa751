import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildK6 } from '../../scenarios/k6-build.ts';
import type { K6Fake } from './k6-fake/fake.ts';
import { fakeK6, loadScript, removeLoadedScripts } from './k6-fake/load.ts';
import { syncHttp } from './k6-fake/sync-http.ts';

/**
 * The k6 scripts with a user's adapter bundled in (`npm run k6:build -- --adapter FILE`), driven through the steps
 * k6 takes (setup, iterations, teardown) with their requests sent for real to example apps shaped unlike contract
 * v1, each in a process of its own (the fake k6's http blocks this thread while it waits, as k6's does).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const example = (name: string) => join(root, 'examples', name, 'adapter.ts');
const outDir = await mkdtemp(join(tmpdir(), 'sessionproof-k6-adapter-'));
const http = syncHttp();
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  await http.close();
  await Promise.all([rm(outDir, { recursive: true, force: true }), removeLoadedScripts()]);
});

/** Starts a process that prints its URL when it listens; its output keeps being read so a full pipe never blocks it. */
function start(args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stops.push(() => (child.kill('SIGTERM'), exited));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      if (url) resolve(url);
    });
    void exited.then(() => reject(new Error(`${args.join(' ')} exited before listening`)));
  });
}

const startExample = (name: string, env: Record<string, string> = {}) =>
  start(['--import', 'tsx', join(root, 'examples', name, 'main.ts')], env);
const startReference = (flags: string[] = []) =>
  start([join(root, 'bin/sessionproof.js'), 'serve', '--port', '0', '--test-controls', '--users', '0', ...flags]);

const metric = (fake: K6Fake, name: string) => fake.metrics[name] ?? [];

describe('k6:build --adapter', () => {
  it('bundles the scripts that run through an adapter, with the adapter inside and nothing but k6 imported', async () => {
    const files = await buildK6({ outDir, adapter: example('express-session-cart') });
    expect(files.map((file) => basename(file))).toEqual(['cart-contention.js', 'session-churn.js']);
    for (const file of files) {
      const source = await readFile(file, 'utf8');
      expect(source).toContain('"express-session-cart"');
      expect(source).not.toMatch(/name: "contract-v1"/);
      const imports = [...source.matchAll(/(?:^|\n)\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/g)].map(
        (m) => m[1]!,
      );
      expect(imports.filter((specifier) => specifier !== 'k6' && !specifier.startsWith('k6/'))).toEqual([]);
      expect(source).not.toMatch(/\bprocess\.(env|argv)|node:/);
    }
  });

  it('names a broken adapter in one line and exits 2', async () => {
    const run = promisify(execFile);
    const failure = await run(
      process.execPath,
      [join(root, 'bin/sessionproof.js'), 'k6', '--adapter', 'no/such/adapter.ts', '--out', outDir],
      { cwd: root },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stdout: '' });
    expect((failure as { stderr: string }).stderr.trim()).toBe('adapter no/such/adapter.ts: no such file');
  });
});

describe('the k6 scripts through an adapter, against real apps', () => {
  it('session-churn on session-in-path-koa: opens a session, signs in and out, and the logout sticks', async () => {
    const env = { BASE_URL: await startExample('session-in-path-koa'), VUS: '1' };
    const fake = fakeK6(http.respond);
    const script = await loadScript('session-churn', env, fake, example('session-in-path-koa'));
    const data = script.setup();
    // the app has a register operation and no contract-v1 stats
    expect(data.accounts).toHaveLength(4);
    expect(data.liveAtStart).toBeNull();
    for (let i = 0; i < 3; i++) script.churn(data);
    expect(metric(fake, 'failed_cycles')).toEqual([]);
    expect(metric(fake, 'signed_in_after_logout')).toEqual([0, 0, 0]);
    const paths = fake.requests.map((r) => `${r.method} ${new URL(r.url).pathname.replace(/[\w-]{20,}/, ':id')}`);
    expect(paths).toContain('POST /api/v1/sessions');
  }, 60_000);

  it('cart-contention on express-session-cart: a guest cart opened by its first add, then acknowledged adds', async () => {
    const env = { BASE_URL: await startExample('express-session-cart'), CARTS: '1', VUS: '1' };
    const fake = fakeK6(http.respond);
    const script = await loadScript('cart-contention', env, fake, example('express-session-cart'));
    const data = script.setup();
    expect(Object.keys(data.carts[0].cookies)).not.toEqual([]);
    for (let i = 0; i < 3; i++) script.default(data);
    expect(metric(fake, 'acknowledged_adds')).toEqual([1, 1, 1]);
    expect(metric(fake, 'lost_updates_seen')).toEqual([]);
  }, 60_000);

  it('session-churn on the reference server (contract v1) sees a logout that does not stick', async () => {
    for (const [flags, expected] of [
      [[], 0],
      [['--fault', 'logout-keeps-server-session'], 1],
    ] as const) {
      const env = { BASE_URL: await startReference([...flags]), VUS: '1' };
      const fake = fakeK6(http.respond);
      const script = await loadScript('session-churn', env, fake);
      const data = script.setup();
      expect(data.liveAtStart).toEqual(expect.any(Number));
      script.churn(data);
      script.churn(data);
      expect(metric(fake, 'signed_in_after_logout'), flags.join(' ')).toEqual([expected, expected]);
    }
  }, 60_000);
});
