import { fail } from '../errors.ts';
import { randomToken, sha256 } from '../ids.ts';
import { cartOwnerOf } from '../stores/store.ts';
import { objectBody } from '../validate.ts';
import type { AppRouter } from './router.ts';

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted, so a retry that orders its fields differently is still the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function ordersRoutes(router: AppRouter): void {
  router.post('/orders', async (ctx) => {
    const { session } = ctx.requestSession.requireUser();
    const { store, clock } = ctx.services;
    const body = objectBody(ctx.request.body);
    const idempotencyKey = ctx.get('idempotency-key') || null;
    if (idempotencyKey !== null && !idempotencyKeyPattern.test(idempotencyKey)) {
      fail('VALIDATION_FAILED', 'Idempotency-Key must be 1-255 visible ASCII characters.');
    }
    const result = await store.checkout({
      owner: cartOwnerOf(session),
      userId: session.userId,
      orderId: randomToken(),
      now: clock.now(),
      idempotencyKey,
      fingerprint: sha256(canonicalJson(body)),
    });
    if (result.kind === 'empty') fail('CART_EMPTY');
    if (result.kind === 'conflict') fail('IDEMPOTENCY_CONFLICT');
    ctx.status = 201;
    if (result.kind === 'replayed') ctx.set('idempotent-replayed', 'true');
    ctx.body = result.order;
  });

  router.get('/orders', async (ctx) => {
    const { session } = ctx.requestSession.requireUser();
    ctx.body = { orders: await ctx.services.store.listOrders(session.userId) };
  });
}
