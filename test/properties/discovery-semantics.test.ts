import { expect, test } from 'vitest';
import { semanticsOf, type Discovery } from '../../properties/targets.ts';

const discovery = (extra: Partial<Discovery>): Discovery => ({
  contract: 1,
  features: { refresh: true, csrf: true, wishlist: true, orders: true },
  controls: { clock: true, freeze: true, sweep: true, users: true, reset: true },
  ...extra,
});

test('a contract-v1 server must refuse a malformed SKU, and one outside the catalogue it lists', () => {
  expect(semanticsOf(discovery({ skus: ['SKU-0001', 'SKU-0002'] })).refusedSkus).toEqual([
    { sku: 'not a sku', outcome: 'invalid' },
    { sku: 'SKU-9999', outcome: 'not-found' },
  ]);
});

test('the unsold SKU is never one the catalogue lists', () => {
  const refused = semanticsOf(discovery({ skus: ['SKU-9999', 'UNSOLD-0'] })).refusedSkus ?? [];
  expect(refused.map((entry) => entry.sku)).toEqual(['not a sku', 'UNSOLD-1']);
});

test('without a listed catalogue no well-formed SKU is surely unsold', () => {
  expect(semanticsOf(discovery({})).refusedSkus).toEqual([{ sku: 'not a sku', outcome: 'invalid' }]);
});
