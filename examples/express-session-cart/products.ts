import { setTimeout as sleep } from 'node:timers/promises';

export interface Product {
  id: number;
  name: string;
  /** In cents, so totals add up exactly. */
  price: number;
}

/** Products 1..200, as a products table would hold them. */
const products = new Map<number, Product>(
  Array.from({ length: 200 }, (_, i): [number, Product] => {
    const id = i + 1;
    return [id, { id, name: `Product ${id}`, price: 100 + ((id * 37) % 900) }];
  }),
);

/**
 * Stands in for the products query a real app makes: it resolves after `delayMs`, like a database round trip.
 * The handlers await it between reading the session and writing it, which is where the races live.
 */
export async function findProduct(id: number, delayMs: number): Promise<Product | undefined> {
  await sleep(delayMs);
  return products.get(id);
}
