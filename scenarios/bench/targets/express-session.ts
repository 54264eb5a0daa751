import { createServer } from 'node:http';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { closeServer, listenOnLoopback, serveInChild } from '../../load/child-server.ts';

/**
 * The Express peer: express-session on connect-redis (node-redis client), counting requests in the session like the
 * koa-session baseline, so every request reads the session and saves it. The `prefix` query parameter of the URL
 * is the key prefix.
 */
const [location = 'redis://127.0.0.1:6379'] = process.argv.slice(2);
const url = new URL(location);
const prefix = url.searchParams.get('prefix') ?? 'sess:';
url.searchParams.delete('prefix');

declare module 'express-session' {
  interface SessionData {
    count: number;
  }
}

const client = createClient({ url: url.toString() });
await client.connect();

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(
  session({
    store: new RedisStore({ client, prefix }),
    name: 'bench.sid',
    secret: 'sessionproof-bench-key',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax' },
  }),
);
app.get('/', (request, response) => {
  const count = (request.session.count ?? 0) + 1;
  request.session.count = count;
  response.json({ count });
});

const server = createServer(app);
await serveInChild({
  listen: () => listenOnLoopback(server),
  async close() {
    await closeServer(server);
    await client.quit();
  },
});
