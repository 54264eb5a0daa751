import fc from 'fast-check';
import type { ContractClient, Reply } from '../../adapters/contract-client.ts';
import { History } from '../../adapters/history.ts';
import { expect, linesOf, login, openGuestSession, show, type Lines } from './harness.ts';
import { interleaving, skus, withScheduler, type RaceDefinition } from './race.ts';

type CartOp = { kind: 'get' } | { kind: 'add'; sku: string; quantity: number };

const op: fc.Arbitrary<{ actor: number; op: CartOp }> = fc.record({
  actor: fc.nat({ max: 1 }),
  op: fc.oneof(
    { weight: 1, arbitrary: fc.constant<CartOp>({ kind: 'get' }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        sku: fc.constantFrom(...skus),
        quantity: fc.integer({ min: 1, max: 5 }),
      }),
    },
  ),
});

/**
 * The first requests of an owner that has no cart yet race: reads and adds, from two tabs of one guest session or
 * from two sessions (cookie and bearer) of one user. Whatever the interleaving, every answer names the same one
 * cart, each answer shows a state between the start and the end that includes its own add, and the cart ends at
 * exactly the sum of the adds.
 */
export const cartRace: RaceDefinition = {
  name: 'race: get-or-create cart',
  holds: 'one cart per owner and no lost update, however the first requests of an owner interleave at the store',
  property: (servers) =>
    fc.asyncProperty(
      interleaving,
      fc.constantFrom('guest' as const, 'user' as const),
      fc.array(op, { minLength: 2, maxLength: 4 }),
      (seed, owner, ops) =>
        withScheduler(seed, async (s) => {
          const history = new History();
          const actors: [ContractClient, ContractClient] = [servers.client('a', history), servers.client('b', history)];
          const via = owner === 'guest' ? (['cookie', 'cookie'] as const) : (['cookie', 'bearer'] as const);
          if (owner === 'guest') {
            await openGuestSession(actors[0]);
            actors[1] = actors[0].clone('b');
          } else {
            const [account] = await servers.accounts(1, history);
            for (const actor of actors) expect((await login(actor, account!)).status === 200, 'setup login failed');
          }

          const totals: Lines = {};
          const requests: Record<string, (headers: Record<string, string>) => Promise<Reply>> = {};
          for (const [i, { actor, op: cartOp }] of ops.entries()) {
            const client = actors[actor]!;
            if (cartOp.kind === 'add') totals[cartOp.sku] = (totals[cartOp.sku] ?? 0) + cartOp.quantity;
            requests[`r${i}`] = (headers) =>
              cartOp.kind === 'get'
                ? client.request('GET', '/cart', { via: via[actor], headers })
                : client.request('POST', '/cart/items', {
                    via: via[actor],
                    headers,
                    body: { sku: cartOp.sku, quantity: cartOp.quantity },
                  });
          }
          const replies = await servers.gate.race(s, requests);

          const cartIds = new Set<string>();
          for (const [i, { op: cartOp }] of ops.entries()) {
            const reply = replies[`r${i}`]!;
            expect(reply.status === 200, `r${i} ${cartOp.kind}: ${show(reply)}`);
            cartIds.add(reply.body.id);
            const shown = linesOf(reply.body);
            for (const sku of skus) {
              const low = cartOp.kind === 'add' && cartOp.sku === sku ? cartOp.quantity : 0;
              const quantity = shown[sku] ?? 0;
              expect(
                quantity >= low && quantity <= (totals[sku] ?? 0),
                `r${i} shows ${sku} x${quantity}, allowed ${low}..${totals[sku] ?? 0}: ${show(reply)}`,
              );
            }
          }
          const final = await actors[0].request('GET', '/cart', { via: via[0] });
          cartIds.add(final.body?.id);
          expect(cartIds.size === 1, `one owner, ${cartIds.size} carts: ${[...cartIds].join(', ')}`);
          expect(
            JSON.stringify(linesOf(final.body)) === JSON.stringify(sorted(totals)),
            `cart ends at ${JSON.stringify(linesOf(final.body))}, the adds sum to ${JSON.stringify(sorted(totals))}`,
          );
        }),
    ),
};

export function sorted(lines: Lines): Lines {
  return Object.fromEntries(Object.entries(lines).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
