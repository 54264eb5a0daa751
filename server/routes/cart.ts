import type { Identity } from '../context.ts';
import { fail } from '../errors.ts';
import { ensureSession, requireSession } from '../identity.ts';
import { randomToken } from '../ids.ts';
import type { CartOwner } from '../stores/store.ts';
import { catalogueItem, integerField, objectBody } from '../validate.ts';
import type { AppRouter } from './router.ts';

export function cartOwner({ session }: Identity): CartOwner {
  return session.userId === null ? `guest:${session.id}` : `user:${session.userId}`;
}

export function cartRoutes(router: AppRouter): void {
  router.get('/cart', async (ctx) => {
    ctx.body = await ctx.services.store.getOrCreateCart(cartOwner(await ensureSession(ctx)), randomToken());
  });

  router.post('/cart/items', async (ctx) => {
    const { store, config, skus } = ctx.services;
    const owner = cartOwner(requireSession(ctx));
    const body = objectBody(ctx.request.body);
    const sku = catalogueItem(body['sku'], skus);
    const quantity = integerField(body, 'quantity', 1, config.maxAddQuantity);
    const cart = await store.addToCart(owner, randomToken(), { sku, quantity }, config.maxLineQuantity);
    ctx.body = cart ?? fail('CART_LINE_LIMIT', `A line holds at most ${config.maxLineQuantity}.`);
  });

  router.put('/cart/items/:sku', async (ctx) => {
    const { store, config, skus } = ctx.services;
    const owner = cartOwner(requireSession(ctx));
    const sku = catalogueItem(ctx.params.sku, skus);
    const quantity = integerField(objectBody(ctx.request.body), 'quantity', 0, config.maxLineQuantity);
    ctx.body = await store.setCartLine(owner, randomToken(), { sku, quantity });
  });

  router.delete('/cart/items/:sku', async (ctx) => {
    const { store, skus } = ctx.services;
    const owner = cartOwner(requireSession(ctx));
    ctx.body = await store.removeCartLine(owner, randomToken(), catalogueItem(ctx.params.sku, skus));
  });
}
