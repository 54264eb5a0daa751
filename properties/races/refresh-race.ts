import fc from 'fast-check';
import type { Reply } from '../../adapters/contract-client.ts';
import { History } from '../../adapters/history.ts';
import { expect, login, show } from './harness.ts';
import { interleaving, withScheduler, type RaceDefinition } from './race.ts';

type Bystander = 'bearer-get' | 'other-refresh' | 'other-get';

/**
 * Several refreshes with the one current refresh token race (a page whose tabs all saw the access token expire),
 * alongside a bearer request of the same session and a refresh and a request of the user's other session. Whatever
 * the interleaving: every refresh succeeds with the same successor, no reuse is detected, the family moves on exactly
 * once (after the grace window the successor still refreshes), and the other session is untouched.
 */
export const refreshRace: RaceDefinition = {
  name: 'race: refresh-token rotation',
  holds:
    'concurrent refreshes with one token yield one successor, no reuse detection and one rotation; other sessions untouched',
  property: (servers) =>
    fc.asyncProperty(
      interleaving,
      fc.integer({ min: 2, max: 4 }),
      fc.uniqueArray(fc.constantFrom<Bystander>('bearer-get', 'other-refresh', 'other-get'), { maxLength: 3 }),
      (seed, storm, bystanders) =>
        withScheduler(seed, async (s) => {
          const history = new History();
          const [account] = await servers.accounts(1, history);
          const tab = servers.client('tab', history);
          const other = servers.client('other', history);
          for (const client of [tab, other])
            expect((await login(client, account!)).status === 200, 'setup login failed');
          const [token] = tab.refreshTokens;
          const [otherToken] = other.refreshTokens;

          const requests: Record<string, (headers: Record<string, string>) => Promise<Reply>> = {};
          for (let i = 0; i < storm; i++)
            requests[`refresh${i}`] = (headers) =>
              tab.request('POST', '/auth/refresh', { via: 'none', headers, body: { refreshToken: token } });
          for (const bystander of bystanders) {
            requests[bystander] = (headers) =>
              bystander === 'other-refresh'
                ? other.request('POST', '/auth/refresh', { via: 'none', headers, body: { refreshToken: otherToken } })
                : (bystander === 'bearer-get' ? tab : other).request('GET', '/session', { via: 'bearer', headers });
          }
          const replies = await servers.gate.race(s, requests);
          for (const [name, reply] of Object.entries(replies)) expect(reply.status === 200, `${name}: ${show(reply)}`);
          const successors = new Set(
            Object.entries(replies)
              .filter(([name]) => name.startsWith('refresh'))
              .map(([, reply]) => reply.body.refreshToken as string),
          );
          expect(
            successors.size === 1,
            `${storm} refreshes with one token got ${successors.size} different successors`,
          );
          const [successor] = successors;
          expect(successor !== token, 'the refresh answered with the token it was given');

          // past the grace window only the family's current token refreshes: the successor must be it
          servers.clock.advance(2 * servers.servers[0]!.services.config.refreshGraceMs + 1000);
          const next = await tab.request('POST', '/auth/refresh', { via: 'none', body: { refreshToken: successor } });
          expect(
            next.status === 200,
            `after the grace window the successor no longer refreshes (the family moved on more than once): ${show(next)}`,
          );
          tab.accessToken = next.body.accessToken;
          const still = await tab.request('GET', '/session', { via: 'bearer' });
          expect(
            still.status === 200 && still.body.user?.email === account!.email,
            `the session did not survive its refreshes: ${show(still)}`,
          );
          const untouched = await other.request('GET', '/session', { via: 'bearer' });
          expect(untouched.status === 200, `the user's other session was ended: ${show(untouched)}`);
        }),
    ),
};
