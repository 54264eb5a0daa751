import fc from 'fast-check';
import type { Reply } from '../../adapters/contract-client.ts';
import { History } from '../../adapters/history.ts';
import { expect, leftoverGuestCart, linesOf, login, openGuestSession, show } from './harness.ts';
import { interleaving, withScheduler, type RaceDefinition } from './race.ts';

type TabOp = { kind: 'get' } | { kind: 'add'; sku: string };

/**
 * A guest signs in while another tab of the same guest session reads or adds to the guest cart. Linearizable
 * outcomes only: a tab add that was acknowledged happened before the merge, so its line is in the user cart; one
 * that came after the login was refused (the session had ended). Either way no guest cart outlives the login.
 */
export const guestDuringLogin: RaceDefinition = {
  name: 'race: guest cart requests during login',
  holds:
    'an acknowledged guest add is merged into the user cart, and no guest cart outlives the login, however the tabs race',
  property: (servers) =>
    fc.asyncProperty(
      interleaving,
      fc.array(
        fc.oneof(
          fc.constant<TabOp>({ kind: 'get' }),
          fc.constantFrom('SKU-0002', 'SKU-0003').map((sku): TabOp => ({ kind: 'add', sku })),
        ),
        { minLength: 1, maxLength: 2 },
      ),
      (seed, tabs) =>
        withScheduler(seed, async (s) => {
          const history = new History();
          const [account] = await servers.accounts(1, history);
          const guest = servers.client('guest', history);
          const guestId = await openGuestSession(guest);
          await guest.request('POST', '/cart/items', { body: { sku: 'SKU-0001', quantity: 1 } });
          const requests: Record<string, (headers: Record<string, string>) => Promise<Reply>> = {
            login: (headers) => login(guest, account!, headers),
          };
          for (const [i, op] of tabs.entries()) {
            const tab = guest.clone(`tab${i}`);
            requests[`tab${i}`] = (headers) =>
              op.kind === 'get'
                ? tab.request('GET', '/cart', { headers })
                : tab.request('POST', '/cart/items', { headers, body: { sku: op.sku, quantity: 1 } });
          }
          const replies = await servers.gate.race(s, requests);
          expect(replies.login!.status === 200, `login: ${show(replies.login!)}`);
          const final = linesOf((await guest.request('GET', '/cart')).body);
          for (const [i, op] of tabs.entries()) {
            const reply = replies[`tab${i}`]!;
            if (op.kind === 'add' && reply.status === 200 && reply.body?.owner === 'guest') {
              expect(
                (final[op.sku] ?? 0) >= 1,
                `tab${i}'s guest add of ${op.sku} was acknowledged (${show(reply)}) but the user cart is ${JSON.stringify(final)}`,
              );
            }
          }
          const leftover = await leftoverGuestCart(servers.store, guestId);
          expect(
            leftover === null,
            `a guest cart of the ended guest session outlives the login: ${JSON.stringify(leftover)}`,
          );
        }),
    ),
};
