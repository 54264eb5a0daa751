import { createServer } from 'node:http';
import Koa from 'koa';
import session from 'koa-session';
import { closeServer, listenOnLoopback, serveInChild } from '../../load/child-server.ts';

/**
 * The baseline a session server is judged against: plain Koa and koa-session on an in-memory external store,
 * counting requests in the session, so every request reads and writes the session like the reference server does.
 */
const sessions = new Map<string, unknown>();
const app = new Koa({ keys: ['sessionproof-bench-key'] });
app.use(
  session(
    {
      key: 'bench.sid',
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      store: {
        get: async (key: string) => sessions.get(key),
        set: async (key: string, data: unknown) => void sessions.set(key, data),
        destroy: async (key: string) => void sessions.delete(key),
      },
    },
    app,
  ),
);
app.use((ctx) => {
  const count = ((ctx.session?.['count'] as number | undefined) ?? 0) + 1;
  ctx.session!['count'] = count;
  ctx.body = { count };
});

const server = createServer(app.callback());
await serveInChild({ listen: () => listenOnLoopback(server), close: () => closeServer(server) });
