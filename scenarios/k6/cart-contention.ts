import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { cartContention, k6Thresholds } from '../definitions/index.ts';
import { bodyOf, cookieOf, get, intEnv, post, type Identity } from './lib.ts';

/**
 * cart-contention: VUs add to a few shared carts. A VU cannot see other VUs' acknowledgements, so k6 counts what
 * one VU can prove, as `lost updates seen by a client` (the definition's k6 check): on a correct server every add it
 * gets a 200 for returns a quantity above the last one it saw for that line (its own add is in it); a smaller
 * quantity means acknowledged adds were overwritten. That is a lower bound on the Node runner's `lost updates`
 * (acknowledged adds minus final quantities), which needs every client's acknowledgements in one place.
 */
const defaults = cartContention.defaults;
const carts = intEnv('CARTS', defaults.carts);

const lostUpdatesSeen = new Counter('lost_updates_seen');
const acknowledgedAdds = new Counter('acknowledged_adds');

export const options: Options = {
  scenarios: {
    contention: {
      executor: 'constant-vus',
      vus: intEnv('VUS', defaults.connections),
      duration: `${intEnv('DURATION', defaults.durationSeconds)}s`,
    },
  },
  thresholds: k6Thresholds(cartContention),
};

export function setup(): { carts: Identity[] } {
  const identities: Identity[] = [];
  for (let i = 0; i < carts; i++) {
    const response = get('/session');
    const body = bodyOf<{ csrfToken: string }>(response);
    if (response.status !== 200 || !body) throw new Error(`GET /session answered ${response.status}`);
    identities.push({ cookie: cookieOf(response), csrfToken: body.csrfToken });
  }
  return { carts: identities };
}

/** The last quantity this VU saw for its line; VU-local, which is all a VU can know. */
let lastSeen = 0;

export default function (data: { carts: Identity[] }): void {
  const vu = exec.vu.idInTest - 1;
  const cart = data.carts[vu % data.carts.length]!;
  const sku = defaults.skus[Math.floor(vu / data.carts.length) % defaults.skus.length]!;
  const response = post('/cart/items', { sku, quantity: 1 }, cart, { scenario_step: 'add' });
  if (!check(response, { 'add acknowledged': (r) => r.status === 200 })) return;
  acknowledgedAdds.add(1);
  const quantity =
    bodyOf<{ items: { sku: string; quantity: number }[] }>(response)?.items.find((item) => item.sku === sku)
      ?.quantity ?? 0;
  if (quantity < lastSeen + 1) lostUpdatesSeen.add(lastSeen + 1 - quantity);
  lastSeen = quantity;
}
