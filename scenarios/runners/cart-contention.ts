import { cartContention, type CartContentionDefaults } from '../definitions/cart-contention.ts';
import { establishClients, type LoadRequest } from '../load/autocannon-run.ts';
import { cookieOf, expectOk } from '../load/contract.ts';
import { drive } from '../load/drive.ts';
import { checkedCounter, loadModel, scenarioResult, type ScenarioContext } from '../scenario.ts';
import type { ScenarioResult } from '../../reports/schema.ts';

export interface CartContentionOptions {
  carts?: number;
}

interface SharedCart {
  cookie: string;
  csrfToken: string;
  /** Adds the server acknowledged (200), per SKU. */
  acknowledged: Map<string, number>;
}

/**
 * Many connections add to few carts: each cart is one guest session whose cookie and CSRF token several connections
 * share. Every 200 is an acknowledged add of 1; afterwards each line must hold at least what was acknowledged (it may
 * hold more: adds in flight when the load stopped reach the server unacknowledged).
 */
export async function runCartContention(
  context: ScenarioContext,
  options: CartContentionOptions = {},
): Promise<ScenarioResult> {
  const defaults: CartContentionDefaults = cartContention.defaults;
  const { url } = context.server;
  const connections = context.load.clients ?? defaults.connections;
  const cartCount = Math.max(1, Math.min(options.carts ?? defaults.carts, connections));
  const carts = await establishClients(cartCount, async (): Promise<SharedCart> => {
    const reply = await expectOk<{ csrfToken: string }>(url, '/session');
    return { cookie: cookieOf(reply), csrfToken: reply.body.csrfToken, acknowledged: new Map() };
  });
  context.progress(`${cartCount} carts shared by ${connections} connections`);

  const requestsFor = (index: number): LoadRequest[] => {
    const cart = carts[index % cartCount]!;
    const sku = defaults.skus[Math.floor(index / cartCount) % defaults.skus.length]!;
    return [
      {
        method: 'POST',
        path: '/cart/items',
        headers: { cookie: cart.cookie, 'x-csrf-token': cart.csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ sku, quantity: 1 }),
        onResponse: (status) => {
          if (status === 200) cart.acknowledged.set(sku, (cart.acknowledged.get(sku) ?? 0) + 1);
        },
      },
    ];
  };

  const driven = await drive({
    url,
    load: loadModel(context.load, connections),
    durationSeconds: context.load.durationSeconds ?? defaults.durationSeconds,
    requestsFor,
    onSecond: (point) =>
      context.progress(
        `second ${point.second + 1}: ${point.requestsPerSecond} adds/s, p99 ${point.p99Ms.toFixed(2)} ms`,
      ),
  }).result;

  let acknowledged = 0;
  let lost = 0;
  let unacknowledgedApplied = 0;
  for (const cart of carts) {
    const { body } = await expectOk<{ items: { sku: string; quantity: number }[] }>(url, '/cart', {
      cookie: cart.cookie,
    });
    const final = new Map(body.items.map((item) => [item.sku, item.quantity]));
    for (const sku of new Set([...cart.acknowledged.keys(), ...final.keys()])) {
      const acked = cart.acknowledged.get(sku) ?? 0;
      const held = final.get(sku) ?? 0;
      acknowledged += acked;
      lost += Math.max(0, acked - held);
      unacknowledgedApplied += Math.max(0, held - acked);
    }
  }
  const check = cartContention.checks[0]!;
  return scenarioResult(cartContention.name, context.server.store, driven, {
    counters: [
      checkedCounter(check, lost),
      { name: 'acknowledged adds', value: acknowledged },
      { name: 'applied but unacknowledged adds', value: unacknowledgedApplied },
      { name: 'carts', value: cartCount },
    ],
    parameters: { carts: cartCount, connections },
  });
}
