import { Agent, request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { password, startServer } from './fixture.ts';

describe('graceful shutdown', () => {
  it('close() stops accepting connections but lets a request in flight finish', async () => {
    const t = await startServer();
    const agent = new Agent({ keepAlive: true });
    const body = JSON.stringify({ email: 'user1@example.test', password });
    const half = Math.floor(body.length / 2);
    let closed = false;
    let closedBeforeBodyEnded: boolean | undefined;
    let closing: Promise<void> | undefined;

    const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
      const request = httpRequest(new URL('/auth/login', t.url), {
        method: 'POST',
        agent,
        // With `Expect: 100-continue` the server answers `100 Continue` once it has handed the request to the app,
        // so the request is provably in flight when close() is called.
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), expect: '100-continue' },
      });
      request.on('error', reject);
      request.on('response', (reply) => {
        let text = '';
        reply.on('data', (chunk: Buffer) => (text += chunk.toString()));
        reply.on('end', () => resolve({ status: reply.statusCode!, body: JSON.parse(text) }));
      });
      request.on('continue', () => {
        request.write(body.slice(0, half));
        closing = t.close().then(() => {
          closed = true;
        });
        // Refusing new connections is synchronous with close(); the slow request then completes its body.
        fetch(`${t.url}/health`).then(
          () => reject(new Error('a new connection was accepted after close()')),
          () => {
            closedBeforeBodyEnded = closed;
            request.end(body.slice(half));
          },
        );
      });
    });

    const reply = await response;
    expect(closedBeforeBodyEnded).toBe(false);
    expect(reply.status).toBe(200);
    expect(reply.body.user.email).toBe('user1@example.test');
    await closing;
    expect(closed).toBe(true);
    agent.destroy();
  });
});
