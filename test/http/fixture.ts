import { expect } from 'vitest';
import type { ServerConfig } from '../../server/config.ts';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import { HttpClient, type Reply } from '../support/http-client.ts';

export const password = 'sessionproof';
export const minute = 60_000;

/** A reference server on the memory store, listening on loopback, with test controls on. */
export interface TestServer {
  url: string;
  server: ReferenceServer;
  client(): HttpClient;
  /** Moves the server clock; returns the new now. */
  advance(ms: number): Promise<number>;
  sweep(): Promise<{ sessions: number; carts: number; refreshFamilies: number }>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  const server = await createServer({
    config: { testControls: true, logLevel: 'silent', seedUsers: 5, sweepIntervalMs: 0, ...config },
  });
  const url = await server.listen(0, '127.0.0.1');
  const control = new HttpClient(url);
  const ok = <T>(reply: Reply<T>, status = 200): T => {
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    return reply.body;
  };
  return {
    url,
    server,
    client: () => new HttpClient(url),
    advance: async (advanceMs) => ok(await control.post('/__control/clock', { advanceMs })).now as number,
    sweep: async () => ok(await control.post('/__control/sweep')).removed,
    reset: async () => void ok(await control.post('/__control/reset'), 204),
    close: () => server.close(),
  };
}

/** Opens a guest session and arms the client with its CSRF token. */
export async function visit(client: HttpClient): Promise<Record<string, any>> {
  const reply = await client.get('/session');
  expect(reply.status).toBe(200);
  client.headers['x-csrf-token'] = reply.body.csrfToken;
  return reply.body;
}

/** Signs in through the client's current cookie (if any); the client keeps the new cookie and CSRF token. */
export async function signIn(client: HttpClient, email = 'user1@example.test'): Promise<Record<string, any>> {
  const reply = await client.post('/auth/login', { email, password });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  client.headers['x-csrf-token'] = reply.body.session.csrfToken;
  return reply.body;
}

/** A client that authenticates with a bearer token only (no cookies). */
export function bearer(server: TestServer, accessToken: string): HttpClient {
  const client = server.client();
  client.headers['authorization'] = `Bearer ${accessToken}`;
  return client;
}

/** The parts of a session view that only a state change may alter (the idle expiry moves with every request). */
export function sessionState(view: Record<string, any>) {
  return { id: view.id, user: view.user, csrfToken: view.csrfToken, createdAt: view.createdAt };
}

function errorCode(reply: Reply): string | undefined {
  return reply.body?.error?.code;
}

/** Asserts the status and the stable error code together, showing the body when they differ. */
export function expectError(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: errorCode(reply) }, JSON.stringify(reply.body)).toEqual({ status, code });
}
