import { createServer } from 'node:http';
import Koa from 'koa';
import session from 'koa-session';
import { closeServer, listenOnLoopback, serveInChild } from '../../load/child-server.ts';
import {
  ioredisSessionStore,
  memorySessionStore,
  postgresSessionStore,
  type KoaSessionStore,
} from './koa-session-stores.ts';

/**
 * The baseline a session server is judged against: plain Koa and koa-session on an external store (in-memory Map,
 * ioredis or pg, by the location argument), counting requests in the session, so every request reads and writes
 * the session like the reference server does.
 */
const [location = 'memory'] = process.argv.slice(2);

async function openSessionStore(where: string): Promise<KoaSessionStore> {
  if (where === 'memory') return memorySessionStore();
  if (/^rediss?:\/\//i.test(where)) return ioredisSessionStore(where);
  if (/^postgres(ql)?:\/\//i.test(where)) return postgresSessionStore(where);
  throw new Error(`koa-session baseline: unsupported store ${where}`);
}

const store = await openSessionStore(location);
const app = new Koa({ keys: ['sessionproof-bench-key'] });
app.use(
  session(
    {
      key: 'bench.sid',
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      store: {
        get: (key) => store.get(key),
        set: (key, data, maxAge) => store.set(key, data, maxAge),
        destroy: (key) => store.destroy(key),
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
await serveInChild({
  listen: () => listenOnLoopback(server),
  async close() {
    await closeServer(server);
    await store.close();
  },
});
