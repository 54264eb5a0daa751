import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeK6, loadScript, removeLoadedScripts } from './k6-fake/load.ts';
import { syncHttp } from './k6-fake/sync-http.ts';
import type { K6Fake } from './k6-fake/fake.ts';

/**
 * The k6 refresh-storm script, bundled as for k6, against the reference server started as docker-compose.yml starts
 * it (`sessionproof serve --test-controls ...`): each VU is its own instance of the script, driven through the same
 * steps k6 takes (setup, client iterations, the storm, client iterations), its requests sent for real.
 */
const bin = fileURLToPath(new URL('../../bin/sessionproof.js', import.meta.url));
const http = syncHttp();
const servers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(servers.map((stop) => stop()));
  await http.close();
  await removeLoadedScripts();
});

/** Starts the server; its log keeps being read (and dropped), so a full pipe never blocks it. */
function serve(flags: string[]): Promise<string> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--test-controls', '--users', '0', ...flags], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  servers.push(() => (child.kill('SIGTERM'), exited));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const url = /"url":"([^"]+)"/.exec(line)?.[1];
      if (url) resolve(url);
    });
    void exited.then(() => reject(new Error('the server exited before listening')));
  });
}

const sum = (fake: K6Fake, metric: string) => (fake.metrics[metric] ?? []).reduce((a, b) => a + b, 0);

/** Setup, two client iterations per VU, the storm, two more: what k6 runs, in an order it may run it in. */
async function runStorm(url: string, clients: number, flags: Record<string, string> = {}): Promise<K6Fake> {
  const fake = fakeK6(http.respond);
  const env = { BASE_URL: url, CLIENTS: String(clients), PARALLEL: '3', CLIENT_KIND: 'naive', ...flags };
  const setup = await loadScript('refresh-storm', env, fake);
  const vus = await Promise.all(Array.from({ length: clients }, () => loadScript('refresh-storm', env, fake)));
  const data = JSON.parse(JSON.stringify(setup.setup()));
  const iterate = () =>
    vus.forEach((vu, i) => {
      fake.vu = i + 1;
      vu.client(data);
    });
  iterate();
  iterate();
  (await loadScript('refresh-storm', env, fake)).storm(data);
  iterate();
  iterate();
  return fake;
}

describe('k6 refresh-storm against `sessionproof serve`', () => {
  it('with 5-minute access tokens: every token expires, every client refreshes back to 200, none is signed out', async () => {
    const fake = await runStorm(await serve(['--access-token-lifetime', '5m']), 2);
    expect(fake.aborted).toBeNull();
    expect(sum(fake, 'unauthorized_seen')).toBe(2 * 3);
    expect(sum(fake, 'spurious_logouts')).toBe(0);
    expect(sum(fake, 'clients_back_to_200')).toBe(2);
  }, 60_000);

  it('with the default timeouts: setup aborts before signing anyone in, saying why', async () => {
    const fake = fakeK6(http.respond);
    const script = await loadScript('refresh-storm', { BASE_URL: await serve([]), CLIENTS: '2' }, fake);
    expect(() => script.setup()).toThrow();
    expect(fake.aborted).toMatch(/access tokens live 30 min, sessions end after 15 min/);
    expect(fake.requests).toHaveLength(1);
  }, 60_000);

  it('on a server that revokes on any reuse (strict-refresh): naive clients are signed out, and counted', async () => {
    const fake = await runStorm(await serve(['--access-token-lifetime', '5m', '--fault', 'strict-refresh']), 2);
    expect(sum(fake, 'spurious_logouts')).toBe(2);
    expect(sum(fake, 'reuse_detections')).toBeGreaterThan(0);
  }, 60_000);
});
