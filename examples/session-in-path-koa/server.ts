import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { catalog } from './catalog.ts';
import { maxLineQty, Store, type Cart, type Session } from './store.ts';

export interface AppOptions {
  /** A session ends after this long without a request. */
  idleTimeoutMs?: number;
  /** How often idle sessions are swept from memory (lookups refuse them anyway). */
  sweepIntervalMs?: number;
  /** Accounts created at start. */
  users?: Array<{ username: string; password: string }>;
}

export const seedUsers = [
  { username: 'alice', password: 'wonderland' },
  { username: 'bob', password: 'builder' },
];

const maxAddQty = 99;
const bodyLimitBytes = 16 * 1024;

/** `USERS=alice:wonderland,bob:builder` into accounts. */
export function parseUsers(text: string): Array<{ username: string; password: string }> {
  return text
    .split(',')
    .filter((entry) => entry.includes(':'))
    .map((entry) => {
      const at = entry.indexOf(':');
      return { username: entry.slice(0, at).trim(), password: entry.slice(at + 1) };
    });
}

/** Koa has no body parser built in; this is the small JSON one the API needs. */
async function readJson(ctx: Koa.Context): Promise<Record<string, unknown>> {
  if (!ctx.is('application/json')) ctx.throw(415, 'JSON_REQUIRED');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > bodyLimitBytes) ctx.throw(413, 'BODY_TOO_LARGE');
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    ctx.throw(400, 'INVALID_JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) ctx.throw(422, 'VALIDATION_FAILED');
  return body as Record<string, unknown>;
}

function text(ctx: Koa.Context, value: unknown, pattern = /^[\s\S]{1,256}$/): string {
  if (typeof value !== 'string' || !pattern.test(value)) ctx.throw(422, 'VALIDATION_FAILED');
  return value;
}

function quantity(ctx: Koa.Context, value: unknown, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    ctx.throw(422, 'VALIDATION_FAILED');
  }
  return value as number;
}

function cartView(cart: Cart) {
  const items = [...cart].map(([sku, qty]) => {
    const unitPrice = catalog.get(sku) ?? 0;
    return { sku, qty, unitPrice, lineTotal: qty * unitPrice };
  });
  return {
    items,
    itemCount: items.reduce((sum, item) => sum + item.qty, 0),
    subtotal: items.reduce((sum, item) => sum + item.lineTotal, 0),
  };
}

const userView = (session: Session) => (session.username === null ? null : { username: session.username });

export function createApp(store: Store): Koa {
  const app = new Koa();
  const router = new Router({ prefix: '/api/v1' });

  /**
   * The live session named in the path, or a 404. Unsafe methods must also carry the session's CSRF token: the id
   * alone is not enough, as it shows up in logs, history and Referer headers. Only a request that passes both
   * restarts the idle clock. Callers call this after their last await, so what they do next with the session
   * happens before any other request runs.
   */
  function liveSession(ctx: Koa.Context): Session {
    const now = Date.now();
    const session = store.findSession(ctx.params['sessionId'] ?? '', now);
    if (!session) ctx.throw(404, 'SESSION_NOT_FOUND');
    if (!['GET', 'HEAD'].includes(ctx.method) && !store.checkCsrf(session, ctx.get('x-csrf-token') || undefined)) {
      ctx.throw(403, 'CSRF_TOKEN_INVALID');
    }
    store.touch(session, now);
    return session;
  }

  function signedIn(ctx: Koa.Context, session: Session): string {
    if (session.username === null) ctx.throw(401, 'LOGIN_REQUIRED');
    return session.username;
  }

  router.post('/users', async (ctx) => {
    const body = await readJson(ctx);
    const username = text(ctx, body['username'], /^[A-Za-z0-9_.@-]{3,64}$/);
    const password = text(ctx, body['password'], /^[\s\S]{6,256}$/);
    if (!(await store.addUser(username, password))) ctx.throw(409, 'USERNAME_TAKEN');
    ctx.status = 201;
    ctx.body = { username };
  });

  router.post('/sessions', (ctx) => {
    const session = store.createSession(null, Date.now());
    ctx.status = 201;
    ctx.body = { sessionId: session.id, csrfToken: session.csrfToken };
  });

  // Before '/sessions/:sessionId', which would otherwise take "stats" for an id.
  router.get('/sessions/stats', (ctx) => {
    ctx.body = store.stats(Date.now());
  });

  router.get('/sessions/:sessionId', (ctx) => {
    const session = liveSession(ctx);
    ctx.body = {
      sessionId: session.id,
      user: userView(session),
      idleExpiresAt: new Date(session.lastSeenAt + store.idleTimeoutMs).toISOString(),
    };
  });

  router.delete('/sessions/:sessionId', (ctx) => {
    store.endSession(liveSession(ctx));
    ctx.status = 204;
  });

  router.post('/sessions/:sessionId/login', async (ctx) => {
    const body = await readJson(ctx);
    const username = text(ctx, body['username']);
    const password = text(ctx, body['password']);
    liveSession(ctx); // 404 or 403 before spending a password hash
    const valid = await store.checkPassword(username, password);
    // Looked up again: the session may have ended (logout, another login) while the password was checked.
    const session = liveSession(ctx);
    if (!valid) ctx.throw(401, 'INVALID_CREDENTIALS');
    const next = store.login(session, username, Date.now());
    ctx.status = 201;
    ctx.body = { sessionId: next.id, csrfToken: next.csrfToken, user: userView(next) };
  });

  router.post('/sessions/:sessionId/logout-all', (ctx) => {
    const session = liveSession(ctx);
    store.endUserSessions(signedIn(ctx, session));
    ctx.status = 204;
  });

  router.get('/sessions/:sessionId/cart', (ctx) => {
    ctx.body = cartView(store.cart(liveSession(ctx)));
  });

  router.post('/sessions/:sessionId/cart/items', async (ctx) => {
    const { sku, qty } = await readJson(ctx);
    const session = liveSession(ctx);
    if (typeof sku !== 'string' || !catalog.has(sku)) return ctx.throw(422, 'UNKNOWN_SKU');
    if (!store.addItem(session, sku, quantity(ctx, qty, 1, maxAddQty))) ctx.throw(422, 'QUANTITY_LIMIT');
    ctx.body = cartView(store.cart(session));
  });

  router.patch('/sessions/:sessionId/cart/items/:sku', async (ctx) => {
    const { qty } = await readJson(ctx);
    const session = liveSession(ctx);
    if (!store.setItem(session, ctx.params['sku'] ?? '', quantity(ctx, qty, 0, maxLineQty))) {
      ctx.throw(404, 'ITEM_NOT_FOUND');
    }
    ctx.body = cartView(store.cart(session));
  });

  router.delete('/sessions/:sessionId/cart/items/:sku', (ctx) => {
    const session = liveSession(ctx);
    store.removeItem(session, ctx.params['sku'] ?? '');
    ctx.body = cartView(store.cart(session));
  });

  router.post('/sessions/:sessionId/orders', (ctx) => {
    const username = signedIn(ctx, liveSession(ctx));
    const order = store.checkout(username, Date.now());
    if (!order) return ctx.throw(409, 'CART_EMPTY');
    ctx.status = 201;
    ctx.body = order;
  });

  router.get('/sessions/:sessionId/orders', (ctx) => {
    ctx.body = { orders: store.orders(signedIn(ctx, liveSession(ctx))) };
  });

  // Errors as JSON: `{ error: CODE }` for the 4xx the handlers throw, a bare 500 for anything else.
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.body = { error: 'NOT_FOUND' };
    } catch (err) {
      const { status, expose, message } = err as { status?: number; expose?: boolean; message?: string };
      if (expose && typeof status === 'number') {
        ctx.status = status;
        ctx.body = { error: message };
      } else {
        ctx.status = 500;
        ctx.body = { error: 'INTERNAL_ERROR' };
        ctx.app.emit('error', err, ctx);
      }
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

export interface StartOptions extends AppOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface Started {
  url: string;
  close(): Promise<void>;
}

export async function start(options: StartOptions = {}): Promise<Started> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store(options.idleTimeoutMs ?? 15 * 60 * 1000);
  for (const { username, password } of options.users ?? seedUsers) await store.addUser(username, password);

  const server = createApp(store).listen(options.port ?? 0, host);
  await once(server, 'listening');
  const sweeper = setInterval(() => store.sweep(Date.now()), options.sweepIntervalMs ?? 60_000);
  sweeper.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    async close() {
      clearInterval(sweeper);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
