import type { ScenarioDefinition } from './types.ts';

export interface CartContentionDefaults {
  /** Carts under contention: each is one guest session shared by `connections / carts` connections. */
  carts: number;
  connections: number;
  durationSeconds: number;
  /** SKUs each cart's connections add to (round robin by connection). */
  skus: string[];
}

export const cartContention: ScenarioDefinition<CartContentionDefaults> = {
  name: 'cart-contention',
  summary: 'many connections adding to few carts; every acknowledged add must be in the final cart',
  defaults: { carts: 4, connections: 32, durationSeconds: 5, skus: ['SKU-0001', 'SKU-0002'] },
  mix: [{ method: 'POST', path: '/cart/items' }],
  checks: [
    {
      counter: 'lost updates',
      metric: 'lost_updates',
      op: '==',
      value: 0,
      meaning: 'adds the server acknowledged are missing from the final carts (acknowledged minus final, per line)',
    },
  ],
  // A k6 VU sees only its own acknowledgements and k6 gives teardown no metric to read back, so k6 cannot sum the
  // acknowledged adds per line: it counts what one client can prove, under a name of its own.
  k6Checks: [
    {
      counter: 'lost updates seen by a client',
      metric: 'lost_updates_seen',
      op: '==',
      value: 0,
      meaning:
        "an add came back with its line's quantity below what the client's previous acknowledged add returned plus " +
        'one: an acknowledged add was overwritten (a lower bound on lost updates)',
    },
  ],
};
