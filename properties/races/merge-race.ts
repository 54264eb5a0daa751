import fc from 'fast-check';
import { mergedQuantity } from '../model.ts';
import type { Reply } from '../../adapters/contract-client.ts';
import { History } from '../../adapters/history.ts';
import { sorted } from './cart-race.ts';
import { expect, leftoverGuestCart, linesOf, login, openGuestSession, show, type Lines } from './harness.ts';
import { interleaving, skus, withScheduler, type RaceDefinition } from './race.ts';

type Extra = { kind: 'login-again' } | { kind: 'user-get' } | { kind: 'user-add'; sku: string; quantity: number };

const lines = (minLength: number): fc.Arbitrary<Lines> =>
  fc
    .uniqueArray(fc.tuple(fc.constantFrom(...skus), fc.integer({ min: 1, max: 5 })), {
      minLength,
      maxLength: 3,
      selector: ([sku]) => sku,
    })
    .map(Object.fromEntries);

const extra: fc.Arbitrary<Extra> = fc.oneof(
  fc.constant<Extra>({ kind: 'login-again' }),
  fc.constant<Extra>({ kind: 'user-get' }),
  fc.record({
    kind: fc.constant('user-add' as const),
    sku: fc.constantFrom(...skus),
    quantity: fc.integer({ min: 1, max: 5 }),
  }),
);

/**
 * A guest with a cart signs in to an account whose cart may already hold lines, while the same guest signs in again
 * from a second tab and the user's other session reads and adds to the user cart. Whatever the interleaving: the
 * user cart ends at exactly the merge (sum) of the guest lines into the user lines plus the user's adds, nothing is
 * merged twice, and the guest cart is gone.
 */
export const mergeRace: RaceDefinition = {
  name: 'race: guest-to-user merge',
  holds:
    'merged quantities exact, nothing merged twice and the guest cart gone, however login races with itself and with the user cart',
  property: (servers) =>
    fc.asyncProperty(
      interleaving,
      lines(0),
      lines(1),
      fc.array(extra, { maxLength: 3 }),
      (seed, userLines, guestLines, extras) =>
        withScheduler(seed, async (s) => {
          const history = new History();
          const [account] = await servers.accounts(1, history);
          const other = servers.client('other', history);
          expect((await login(other, account!)).status === 200, 'setup login failed');
          for (const [sku, quantity] of Object.entries(userLines))
            await other.request('POST', '/cart/items', { via: 'bearer', body: { sku, quantity } });
          const guest = servers.client('guest', history);
          const guestId = await openGuestSession(guest);
          for (const [sku, quantity] of Object.entries(guestLines))
            await guest.request('POST', '/cart/items', { body: { sku, quantity } });
          const secondTab = guest.clone('tab');

          const userAdds: Lines = {};
          const requests: Record<string, (headers: Record<string, string>) => Promise<Reply>> = {
            login: (headers) => login(guest, account!, headers),
          };
          for (const [i, item] of extras.entries()) {
            if (item.kind === 'user-add') userAdds[item.sku] = (userAdds[item.sku] ?? 0) + item.quantity;
            requests[`x${i}`] = (headers) =>
              item.kind === 'login-again'
                ? login(secondTab, account!, headers)
                : item.kind === 'user-get'
                  ? other.request('GET', '/cart', { via: 'bearer', headers })
                  : other.request('POST', '/cart/items', {
                      via: 'bearer',
                      headers,
                      body: { sku: item.sku, quantity: item.quantity },
                    });
          }
          const replies = await servers.gate.race(s, requests);
          for (const [name, reply] of Object.entries(replies)) expect(reply.status === 200, `${name}: ${show(reply)}`);

          const expected: Lines = {};
          for (const sku of skus) {
            const user =
              userLines[sku] === undefined && userAdds[sku] === undefined
                ? undefined
                : (userLines[sku] ?? 0) + (userAdds[sku] ?? 0);
            const merged =
              guestLines[sku] === undefined
                ? user
                : mergedQuantity('sum', user, guestLines[sku], Number.MAX_SAFE_INTEGER);
            if (merged !== undefined) expected[sku] = merged;
          }
          const final = await guest.request('GET', '/cart');
          expect(final.status === 200 && final.body.owner === 'user', `after login GET /cart: ${show(final)}`);
          expect(
            JSON.stringify(linesOf(final.body)) === JSON.stringify(sorted(expected)),
            `user cart ends at ${JSON.stringify(linesOf(final.body))}; user ${JSON.stringify(userLines)} + adds ${JSON.stringify(userAdds)} merged with guest ${JSON.stringify(guestLines)} is ${JSON.stringify(sorted(expected))}`,
          );
          const leftover = await leftoverGuestCart(servers.store, guestId);
          expect(leftover === null, `the guest cart is still there after login: ${JSON.stringify(leftover)}`);
        }),
    ),
};
