import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import session from 'express-session';
import { Carts, maxLineQuantity } from './carts.ts';
import { Users } from './users.ts';

/** What this app keeps in `req.session`: that the visitor has one, and who signed in. The cart lives elsewhere. */
declare module 'express-session' {
  interface SessionData {
    visited: true;
    email: string;
  }
}

export const cookieName = 'sid';
const skuPattern = /^SKU-\d{4}$/;
const maxAddQuantity = 99;

const isQuantity = (value: unknown, min: number, max: number): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/** Whose cart a request reaches: the signed-in account's, or the visitor's session's. */
const ownerOf = (req: Request) =>
  req.session.email === undefined ? `guest:${req.sessionID}` : `user:${req.session.email}`;

/** A public handle on the session, so answers can tell sessions apart without showing the cookie's secret. */
const publicId = (req: Request) => createHash('sha256').update(req.sessionID).digest('base64url').slice(0, 16);

function sessionView(req: Request) {
  return { id: publicId(req), user: req.session.email ?? null };
}

function cartView(req: Request, carts: Carts) {
  const items = [...carts.get(ownerOf(req))].map(([sku, quantity]) => ({ sku, quantity }));
  return { owner: req.session.email === undefined ? 'guest' : 'user', items };
}

/** The first page a visitor reads gives them a session (saveUninitialized is off, so marking it is what saves it). */
const visit: RequestHandler = (req, _res, next) => {
  if (!req.session.visited) req.session.visited = true;
  next();
};

/** Cart writes need a session a read has opened: a write with no session is refused, it opens none. */
const requireSession: RequestHandler = (req, res, next) => {
  if (req.session.visited) next();
  else res.status(401).json({ error: 'no_session' });
};

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

function destroy(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}

export interface AppOptions {
  /** Signs the session cookie. */
  secret: string;
  users?: Users;
}

export function createApp(options: AppOptions): express.Express {
  const users = options.users ?? new Users();
  const carts = new Carts();
  const app = express();

  /**
   * Ids of the sessions login and logout ended. express-session reads a request's session as the request arrives and
   * hands it over a tick later, so a request that arrived just before a logout would still act on the ended session
   * (write a cart nobody can reach, read one that was thrown away). Such a request is turned into a new visitor's,
   * as it would be had it arrived after. Kept for the life of the process, as the MemoryStore's sessions are.
   */
  const ended = new Set<string>();

  app.use(express.json());
  app.use(
    session({
      name: cookieName,
      secret: options.secret,
      // sessions are written only when they change: reads of a known session never write it back
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'strict' },
    }),
  );
  // synchronous up to the handler for a live session, so its check and a handler's cart step are one step
  app.use(async (req, _res, next) => {
    if (ended.has(req.sessionID)) await regenerate(req);
    next();
  });

  app.post('/api/users', async (req, res) => {
    const { email, password } = req.body ?? {};
    if (typeof email !== 'string' || typeof password !== 'string' || password.length < 8) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    if (await users.register(email, password)) res.status(201).json({ email });
    else res.status(409).json({ error: 'email_taken' });
  });

  app.get('/api/me', visit, (req, res) => {
    res.json(sessionView(req));
  });

  app.get('/api/cart', visit, (req, res) => {
    res.json(cartView(req, carts));
  });

  app.post('/api/cart/items', requireSession, (req, res) => {
    const { sku, quantity } = req.body ?? {};
    if (typeof sku !== 'string' || !skuPattern.test(sku) || !isQuantity(quantity, 1, maxAddQuantity)) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    carts.add(ownerOf(req), sku, quantity);
    res.json(cartView(req, carts));
  });

  app.put('/api/cart/items/:sku', requireSession, (req, res) => {
    const sku = String(req.params['sku']);
    const quantity = req.body?.quantity;
    if (!skuPattern.test(sku) || !isQuantity(quantity, 0, maxLineQuantity)) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    carts.set(ownerOf(req), sku, quantity);
    res.json(cartView(req, carts));
  });

  app.delete('/api/cart/items/:sku', requireSession, (req, res) => {
    carts.set(ownerOf(req), String(req.params['sku']), 0);
    res.json(cartView(req, carts));
  });

  /**
   * Login merges the guest cart into the user's, sums per SKU, and starts a new session (the old id ends).
   *
   * THE RACE this example exists for: the guest cart is read before the password check and merged after it. A guest
   * add that lands during the check (tens of milliseconds of scrypt) is answered 200, then deleted with the guest
   * cart it went into, never merged. Reading the guest cart after the await, in the same synchronous step as the
   * merge and the delete, is the fix.
   */
  app.post('/api/login', async (req, res) => {
    const { email, password } = req.body ?? {};
    if (typeof email !== 'string' || typeof password !== 'string') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const guest = req.session.email === undefined ? ownerOf(req) : null;
    const guestCart = guest === null ? new Map<string, number>() : carts.get(guest);
    if (!(await users.verify(email, password))) {
      res.status(401).json({ error: 'invalid_credentials' });
      return;
    }
    // a logout or another login may have ended the session during the check: then this signs in from no session
    if (guest !== null && !ended.has(req.sessionID)) {
      for (const [sku, quantity] of guestCart) carts.add(`user:${email}`, sku, quantity);
      carts.delete(guest);
    }
    ended.add(req.sessionID);
    await regenerate(req);
    req.session.visited = true;
    req.session.email = email;
    res.json(sessionView(req));
  });

  app.post('/api/logout', async (req, res) => {
    // a guest cart dies with its session; an account's cart stays for its next login
    if (req.session.email === undefined) carts.delete(ownerOf(req));
    ended.add(req.sessionID);
    await destroy(req);
    res.clearCookie(cookieName).status(204).end();
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    // body-parser's errors carry a 4xx status (malformed JSON, too large); anything else is ours
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) console.error(err);
    res.status(status).json({ error: status === 500 ? 'server_error' : 'invalid_request' });
  };
  app.use(onError);

  return app;
}

export interface StartOptions {
  host?: string;
  port?: number;
  /** Signs the session cookie; a random one (sessions end with the process anyway) when absent. */
  secret?: string;
}

export interface Started {
  url: string;
  close(): Promise<void>;
}

export async function start(options: StartOptions = {}): Promise<Started> {
  const host = options.host ?? '127.0.0.1';
  const app = createApp({ secret: options.secret ?? randomBytes(32).toString('base64url') });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
