import type { AppContext } from '../context.ts';
import { fail } from '../errors.ts';
import { randomToken } from '../ids.ts';
import { catalogueItem, integerField, objectBody } from '../validate.ts';
import type { AppRouter } from './router.ts';

const cartPath = '/cart';

/**
 * A cart read has its cookie session and cart loaded in one store step, the cart being what the session reaches,
 * so it costs one round trip instead of two.
 */
export function readsCart(ctx: AppContext): boolean {
  return ctx.method === 'GET' && ctx.path === cartPath;
}

export function cartRoutes(router: AppRouter): void {
  router.get(cartPath, async (ctx) => {
    ctx.body = await ctx.requestSession.cart();
  });

  router.post('/cart/items', async (ctx) => {
    const { store, config, skus } = ctx.services;
    const owner = ctx.requestSession.cartOwner();
    const body = objectBody(ctx.request.body);
    const sku = catalogueItem(body['sku'], skus);
    const quantity = integerField(body, 'quantity', 1, config.maxAddQuantity);
    const cart = await store.addToCart(owner, randomToken(), { sku, quantity }, config.maxLineQuantity);
    ctx.body = cart ?? fail('CART_LINE_LIMIT', `A line holds at most ${config.maxLineQuantity}.`);
  });

  router.put('/cart/items/:sku', async (ctx) => {
    const { store, config, skus } = ctx.services;
    const owner = ctx.requestSession.cartOwner();
    const sku = catalogueItem(ctx.params.sku, skus);
    const quantity = integerField(objectBody(ctx.request.body), 'quantity', 0, config.maxLineQuantity);
    ctx.body = await store.setCartLine(owner, randomToken(), { sku, quantity });
  });

  router.delete('/cart/items/:sku', async (ctx) => {
    const { store, skus } = ctx.services;
    const owner = ctx.requestSession.cartOwner();
    ctx.body = await store.removeCartLine(owner, randomToken(), catalogueItem(ctx.params.sku, skus));
  });
}
