import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'connect-redis';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { findProduct } from './products.ts';
import { seedUsers, Users } from './users.ts';

/** What this app keeps in `req.session`: the signed-in user and the whole cart. */
declare module 'express-session' {
  interface SessionData {
    user: { username: string };
    cart: CartItem[];
  }
}

export interface CartItem {
  productId: number;
  name: string;
  /** Unit price in cents, as it was when the item was added. */
  price: number;
  qty: number;
}

export interface AppOptions {
  /** Signs the session cookie. */
  secret: string;
  /** Where sessions live; express-session's MemoryStore when absent. */
  store?: session.Store;
  /** How long the simulated product query takes, in milliseconds. */
  lookupDelayMs?: number;
  /** Session lifetime in milliseconds; every request pushes it back (resave + touch). */
  sessionMaxAgeMs?: number;
  users?: Users;
}

export const cookieName = 'connect.sid';
const maxLineQty = 99;

function cartView(items: CartItem[]) {
  return {
    items: items.map((item) => ({ ...item, lineTotal: item.price * item.qty })),
    totalQty: items.reduce((sum, item) => sum + item.qty, 0),
    total: items.reduce((sum, item) => sum + item.price * item.qty, 0),
  };
}

const isProductId = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;
const isQty = (value: unknown, min: number): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= maxLineQty;

export function createApp(options: AppOptions): express.Express {
  const lookupDelayMs = options.lookupDelayMs ?? 10;
  const users = options.users ?? new Users();
  const app = express();

  app.use(express.json());
  app.use(
    session({
      secret: options.secret,
      store: options.store,
      // As the tutorials have it: every request writes its session back, and every visitor gets one, so a guest
      // can fill a cart before signing in.
      resave: true,
      saveUninitialized: true,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: options.sessionMaxAgeMs ?? 30 * 60 * 1000 },
    }),
  );

  app.post('/api/register', async (req, res) => {
    const { username, password } = req.body ?? {};
    if (typeof username !== 'string' || !/^[A-Za-z0-9_.@-]{3,64}$/.test(username)) {
      res.status(400).json({ error: 'invalid_username' });
      return;
    }
    if (typeof password !== 'string' || password.length < 6) {
      res.status(400).json({ error: 'invalid_password' });
      return;
    }
    if (!(await users.register(username, password))) {
      res.status(409).json({ error: 'username_taken' });
      return;
    }
    res.status(201).json({ user: { username } });
  });

  app.post('/api/login', async (req, res, next) => {
    const { username, password } = req.body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const user = await users.verify(username, password);
    if (!user) {
      res.status(401).json({ error: 'invalid_credentials' });
      return;
    }
    const guestCart = req.session.cart;
    // A fresh session id on login, so an id planted or seen before login (session fixation) is worthless after it.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.user = { username: user.username };
      // The guest's cart comes along into the signed-in session.
      if (guestCart) req.session.cart = guestCart;
      res.json({ user: req.session.user });
    });
  });

  app.post('/api/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(cookieName);
      res.json({ ok: true });
    });
  });

  app.get('/api/me', (req, res) => {
    if (!req.session.user) {
      res.status(401).json({ error: 'not_logged_in' });
      return;
    }
    res.json({ user: req.session.user });
  });

  app.get('/api/cart', async (req, res) => {
    const cart = req.session.cart ?? [];
    // Prices can change after an item went in: show the current ones.
    const items: CartItem[] = [];
    for (const item of cart) {
      const product = await findProduct(item.productId, lookupDelayMs);
      items.push({ ...item, price: product?.price ?? item.price });
    }
    res.json(cartView(items));
  });

  app.post('/api/cart/add', async (req, res) => {
    const { productId, qty } = req.body ?? {};
    if (!isProductId(productId) || !isQty(qty, 1)) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const cart = req.session.cart ?? [];
    const product = await findProduct(productId, lookupDelayMs);
    if (!product) {
      res.status(404).json({ error: 'product_not_found' });
      return;
    }
    const line = cart.find((item) => item.productId === productId);
    if ((line?.qty ?? 0) + qty > maxLineQty) {
      res.status(422).json({ error: 'quantity_limit', max: maxLineQty });
      return;
    }
    if (line) line.qty += qty;
    else cart.push({ productId, name: product.name, price: product.price, qty });
    req.session.cart = cart;
    res.json(cartView(cart));
  });

  app.post('/api/cart/update', async (req, res) => {
    const { productId, qty } = req.body ?? {};
    if (!isProductId(productId) || !isQty(qty, 0)) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const cart = req.session.cart ?? [];
    const line = cart.find((item) => item.productId === productId);
    if (!line) {
      res.status(404).json({ error: 'not_in_cart' });
      return;
    }
    // Quantity 0 takes the line out, as the cart page's stepper does.
    if (qty === 0) req.session.cart = cart.filter((item) => item !== line);
    else line.qty = qty;
    res.json(cartView(req.session.cart ?? []));
  });

  app.post('/api/cart/remove', (req, res) => {
    const { productId } = req.body ?? {};
    if (!isProductId(productId)) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    req.session.cart = (req.session.cart ?? []).filter((item) => item.productId !== productId);
    res.json(cartView(req.session.cart));
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    // body-parser's errors carry a 4xx status (malformed JSON, too large); anything else is ours.
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) console.error(err);
    res.status(status).json({ error: status === 500 ? 'internal_error' : 'invalid_request' });
  };
  app.use(onError);

  return app;
}

export interface StartOptions extends Partial<AppOptions> {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Keep sessions in Redis through connect-redis instead of the MemoryStore. */
  redisUrl?: string;
  /** Key prefix in Redis (connect-redis's default is `sess:`). */
  redisPrefix?: string;
  /** Register the seed users (alice, bob); on by default. */
  seed?: boolean;
}

export interface Started {
  url: string;
  close(): Promise<void>;
}

export async function start(options: StartOptions = {}): Promise<Started> {
  const host = options.host ?? '127.0.0.1';
  const users = options.users ?? new Users();
  if (options.seed ?? true) {
    for (const { username, password } of seedUsers) await users.register(username, password);
  }

  let redis: ReturnType<typeof createClient> | undefined;
  let store = options.store;
  if (!store && options.redisUrl) {
    // The setup connect-redis's README shows.
    redis = createClient({ url: options.redisUrl });
    redis.on('error', (err) => console.error('redis:', err));
    await redis.connect();
    store = new RedisStore({ client: redis, prefix: options.redisPrefix ?? 'sess:' });
  }

  const app = createApp({ ...options, secret: options.secret ?? 'express-session-cart dev secret', store, users });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis?.close();
    },
  };
}
