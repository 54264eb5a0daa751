import { perform } from '../../adapters/engine.ts';
import { cartsOfGuests, missingOperations } from '../definitions/through-adapter.ts';
import type { CartLine, Via } from '../../adapters/types.ts';
import type { Agent } from '../../adapters/wire.ts';
import { cartContention, type CartContentionDefaults } from '../definitions/cart-contention.ts';
import { drive } from '../load/drive.ts';
import { operationLoop } from '../load/operation-loop.ts';
import { noAccounts, openCarts, quantitiesBySku, setupUser } from '../load/shared-identity.ts';
import { checkedCounter, loadModel, scenarioResult, ScenarioNotApplicable, type ScenarioContext } from '../scenario.ts';
import type { ScenarioResult } from '../../reports/schema.ts';

export interface CartContentionOptions {
  carts?: number;
}

interface SharedCart {
  agent: Agent;
  via: Via;
  /** Adds the server acknowledged, per SKU. */
  acknowledged: Map<string, number>;
}

/** Why a target cannot take the scenario, or null. */
export function cartContentionRefusal(context: Pick<ScenarioContext, 'target'>): string | null {
  const { target } = context;
  const lacking = missingOperations(target.adapter, 'cart-contention');
  if (lacking.length > 0) return `the adapter has no ${lacking.join(' or ')} operation`;
  if (!cartsOfGuests(target.adapter) && target.missing(['accounts']).length > 0) return noAccounts;
  return null;
}

/**
 * Many connections add to few carts: each cart is one identity (a guest session, or a signed-in user where the app
 * has no guest carts) that several connections share, as tabs of one browser do. Every acknowledged add is an add of
 * 1; afterwards each SKU must hold at least what was acknowledged (it may hold more: adds in flight when the load
 * stopped reach the server unacknowledged). Quantities are summed per SKU, so an app that adds a line per add is
 * judged by what it declares.
 */
export async function runCartContention(
  context: ScenarioContext,
  options: CartContentionOptions = {},
): Promise<ScenarioResult> {
  const refusal = cartContentionRefusal(context);
  if (refusal) throw new ScenarioNotApplicable(`cart-contention: ${refusal}`);
  const defaults: CartContentionDefaults = cartContention.defaults;
  const { target } = context;
  const { adapter } = target;
  const connections = context.load.clients ?? defaults.connections;
  const cartCount = Math.max(1, Math.min(options.carts ?? defaults.carts, connections));
  const skus = adapter.semantics.skus.slice(0, defaults.skus.length);
  const carts: SharedCart[] = (await openCarts(target, cartCount, skus[0]!)).map(({ agent, via, opened }) => ({
    agent,
    via,
    acknowledged: new Map(opened ? [[opened.sku, opened.quantity]] : []),
  }));
  const owner = cartsOfGuests(adapter) ? 'guest sessions' : 'signed-in users';
  context.progress(`${cartCount} carts (${owner}) shared by ${connections} connections`);

  let unreadable = 0;
  let firstUnreadable: string | null = null;
  const requestsFor = (index: number) => {
    const cart = carts[index % cartCount]!;
    const sku = skus[Math.floor(index / cartCount) % skus.length]!;
    return [
      operationLoop({
        adapter,
        next: () => ({
          name: 'addItem',
          args: { sku, quantity: 1 } satisfies CartLine,
          agent: cart.agent,
          options: { via: cart.via },
          settled: (result) => {
            if (result.outcome === 'ok') cart.acknowledged.set(sku, (cart.acknowledged.get(sku) ?? 0) + 1);
          },
        }),
        unreadable: (message) => {
          unreadable++;
          firstUnreadable ??= message;
        },
      }),
    ];
  };

  const driven = await drive({
    url: target.urls[0]!,
    load: loadModel(context.load, connections),
    durationSeconds: context.load.durationSeconds ?? defaults.durationSeconds,
    requestsFor,
    onSecond: (point) =>
      context.progress(
        `second ${point.second + 1}: ${point.requestsPerSecond} adds/s, p99 ${point.p99Ms.toFixed(2)} ms`,
      ),
  }).result;
  if (firstUnreadable) context.progress(`${unreadable} answers the adapter could not read, first: ${firstUnreadable}`);

  if (carts.every((cart) => cart.acknowledged.size === 0))
    throw new Error(
      `cart-contention: no add was acknowledged in the run (${firstUnreadable ?? `answers: ${JSON.stringify(driven.statusCodes)}`})`,
    );
  let acknowledged = 0;
  let lost = 0;
  let unacknowledgedApplied = 0;
  for (const [index, cart] of carts.entries()) {
    const reader = setupUser(target, `cart ${index + 1} read-back`, cart.agent);
    const final = await perform(reader, adapter, 'getCart', {}, { via: cart.via });
    if (final.outcome !== 'ok' || !final.value)
      throw new Error(`reading cart ${index + 1} back answered ${final.status} (${final.outcome})`);
    const held = quantitiesBySku(final.value.items);
    for (const sku of new Set([...cart.acknowledged.keys(), ...held.keys()])) {
      const acked = cart.acknowledged.get(sku) ?? 0;
      const quantity = held.get(sku) ?? 0;
      acknowledged += acked;
      lost += Math.max(0, acked - quantity);
      unacknowledgedApplied += Math.max(0, quantity - acked);
    }
  }
  const check = cartContention.checks[0]!;
  return scenarioResult(cartContention.name, context.server.store, driven, {
    counters: [
      checkedCounter(check, lost),
      { name: 'acknowledged adds', value: acknowledged },
      { name: 'applied but unacknowledged adds', value: unacknowledgedApplied },
      { name: 'carts', value: cartCount },
      ...(unreadable > 0 ? [{ name: 'answers the adapter could not read', value: unreadable }] : []),
    ],
    parameters: { carts: cartCount, connections, adapter: adapter.name },
  });
}
