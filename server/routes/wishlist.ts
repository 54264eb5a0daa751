import { catalogueItem } from '../validate.ts';
import type { AppRouter } from './router.ts';

export function wishlistRoutes(router: AppRouter): void {
  router.get('/wishlist', async (ctx) => {
    const { session } = ctx.requestSession.requireUser();
    ctx.body = { items: await ctx.services.store.getWishlist(session.userId) };
  });

  router.put('/wishlist/items/:productId', async (ctx) => {
    const { session } = ctx.requestSession.requireUser();
    const { store, skus, clock } = ctx.services;
    const productId = catalogueItem(ctx.params.productId, skus, 'productId');
    ctx.body = { items: await store.addWishlistItem(session.userId, { productId, addedAt: clock.now() }) };
  });

  router.delete('/wishlist/items/:productId', async (ctx) => {
    const { session } = ctx.requestSession.requireUser();
    const { store, skus } = ctx.services;
    ctx.body = {
      items: await store.removeWishlistItem(session.userId, catalogueItem(ctx.params.productId, skus, 'productId')),
    };
  });
}
