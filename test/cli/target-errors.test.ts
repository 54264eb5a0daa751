import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFailure } from '../../adapters/target-error.ts';
import { sessionproof } from './spawn.ts';

/** A loopback port nothing listens on: bound once by the system's choice, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let closed: string;
let notFound: Server;
let notFoundUrl: string;
beforeAll(async () => {
  closed = `http://127.0.0.1:${await closedPort()}`;
  notFound = createServer((_request, response) => response.writeHead(404).end('not here'));
  await new Promise<void>((resolve) => notFound.listen(0, '127.0.0.1', resolve));
  notFoundUrl = `http://127.0.0.1:${(notFound.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => notFound.close(resolve)));

const oneLine = (text: string) => text.trimEnd().split('\n');

describe('a --target the suites cannot use: one line on stderr, exit 2', { timeout: 60_000 }, () => {
  it('props against a closed port says it cannot connect and asks whether the server runs', async () => {
    const { code, stdout, stderr } = await sessionproof(['props', '--target', closed]);
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(oneLine(stderr)).toEqual([
      `cannot reach ${closed} (GET /.well-known/sessionproof: connection refused): is the server running, on that host and port?`,
    ]);
  });

  it('load against a closed port says it cannot connect, in one line', async () => {
    const { code, stderr } = await sessionproof(['load', 'session-churn', '--target', closed]);
    expect(code, stderr).toBe(2);
    expect(oneLine(stderr)).toEqual([
      `cannot reach ${closed} (GET /.well-known/sessionproof: connection refused): is the server running, on that host and port?`,
    ]);
  });

  it('props against a server that answers 404 says it does not speak the contract', async () => {
    const { code, stdout, stderr } = await sessionproof(['props', '--target', `${notFoundUrl}/`]);
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(oneLine(stderr)).toEqual([
      `${notFoundUrl} does not speak sessionproof contract v1 (GET /.well-known/sessionproof answered 404): is it the base URL of a server that does? For any other app, pass --adapter FILE (docs/adapters.md)`,
    ]);
  });

  it('run says so before measuring anything', async () => {
    const { code, stdout, stderr } = await sessionproof(['run', '--target', closed, '--out', '/nonexistent/never']);
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(oneLine(stderr)).toEqual([expect.stringMatching(/^cannot reach .*connection refused\): is the server/)]);
  });
});

describe('an unexpected error', { timeout: 60_000 }, () => {
  const args = () => ['props', '--target', notFoundUrl, '--accounts', '/nonexistent/accounts.json'];

  it('prints its message and how to see the stack, exit 1', async () => {
    const { code, stderr } = await sessionproof(args());
    expect(code).toBe(1);
    expect(oneLine(stderr)).toEqual([
      expect.stringMatching(
        /^sessionproof props: ENOENT: no such file or directory, open '\/nonexistent\/accounts.json'$/,
      ),
      '(set SESSIONPROOF_DEBUG=1 to see the stack trace)',
    ]);
  });

  it('shows the stack with SESSIONPROOF_DEBUG=1', async () => {
    const { code, stderr } = await sessionproof(args(), { SESSIONPROOF_DEBUG: '1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^\s+at .*readAccounts/m);
  });
});

describe('fetchFailure', () => {
  const failure = (url: string) => fetch(url).then(() => expect.unreachable(), fetchFailure);

  it('names the cause undici hides behind "fetch failed", with what to do', async () => {
    expect(await failure(closed)).toEqual({
      reason: 'connection refused',
      hint: 'is the server running, on that host and port?',
    });
    expect(await failure('http://127.0.0.1:9/')).toEqual({
      reason: "a port fetch never connects to (the Fetch standard's blocked ports)",
      hint: 'use another port',
    });
    expect((await failure('127.0.0.1:3000/.well-known/sessionproof')).reason).toBe('not a URL');
  });
});
