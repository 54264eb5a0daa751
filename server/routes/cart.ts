import type Koa from 'koa';
import type { AppContext } from '../context.ts';
import { fail } from '../errors.ts';
import { cartLoadedWith, ensureSession, requireSession } from '../identity.ts';
import { randomToken } from '../ids.ts';
import { cartOwnerOf } from '../stores/store.ts';
import { catalogueItem, integerField, objectBody } from '../validate.ts';
import type { AppRouter } from './router.ts';

const cartPath = '/cart';

/**
 * Runs before the session layer: a cart read has its cookie session and cart loaded in one store step, the cart
 * being what the session reaches, so it costs one round trip instead of two.
 */
export async function announceCartRead(ctx: AppContext, next: Koa.Next): Promise<void> {
  ctx.state.readsCart = ctx.method === 'GET' && ctx.path === cartPath;
  await next();
}

export function cartRoutes(router: AppRouter): void {
  router.get(cartPath, async (ctx) => {
    const identity = await ensureSession(ctx);
    ctx.body =
      cartLoadedWith(ctx, identity) ??
      (await ctx.services.store.getOrCreateCart(cartOwnerOf(identity.session), randomToken()));
  });

  router.post('/cart/items', async (ctx) => {
    const { store, config, skus } = ctx.services;
    const owner = cartOwnerOf(requireSession(ctx).session);
    const body = objectBody(ctx.request.body);
    const sku = catalogueItem(body['sku'], skus);
    const quantity = integerField(body, 'quantity', 1, config.maxAddQuantity);
    const cart = await store.addToCart(owner, randomToken(), { sku, quantity }, config.maxLineQuantity);
    ctx.body = cart ?? fail('CART_LINE_LIMIT', `A line holds at most ${config.maxLineQuantity}.`);
  });

  router.put('/cart/items/:sku', async (ctx) => {
    const { store, config, skus } = ctx.services;
    const owner = cartOwnerOf(requireSession(ctx).session);
    const sku = catalogueItem(ctx.params.sku, skus);
    const quantity = integerField(objectBody(ctx.request.body), 'quantity', 0, config.maxLineQuantity);
    ctx.body = await store.setCartLine(owner, randomToken(), { sku, quantity });
  });

  router.delete('/cart/items/:sku', async (ctx) => {
    const { store, skus } = ctx.services;
    const owner = cartOwnerOf(requireSession(ctx).session);
    ctx.body = await store.removeCartLine(owner, randomToken(), catalogueItem(ctx.params.sku, skus));
  });
}
