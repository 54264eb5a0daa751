import type { AsyncCommand } from 'fast-check';
import type { Cart, SessionView } from '../../adapters/types.ts';
import { linesOf, type Model, type OwnerKey, type SessionState } from '../model.ts';
import { fitsLine } from './cart.ts';
import {
  act,
  expectCart,
  expectCartShape,
  quantities,
  expectOk,
  expectSessionView,
  viaLabel,
  violation,
  type Real,
  type Via,
} from './shared.ts';

export type BatchOp =
  | { kind: 'add'; client: number; via: Via; sku: string; quantity: number }
  | { kind: 'getCart' | 'getSession'; client: number; via: Via };

function opLabel(op: BatchOp): string {
  const who = `c${op.client}${viaLabel(op.via)}`;
  return op.kind === 'add' ? `add(${who}, ${op.sku} x${op.quantity})` : `${op.kind}(${who})`;
}

/**
 * Fires several requests at once: cart adds (which commute) and reads (which must write nothing). Whatever the
 * interleaving, each owner's cart ends at its start plus the sum of its adds, every answer shows a state between
 * the start and the end with its own add in it, and every answer is about the caller's own session and cart.
 */
export class ParallelBatch implements AsyncCommand<Model, Real> {
  constructor(readonly ops: BatchOp[]) {}

  check(m: Readonly<Model>): boolean {
    const adds = new Map<string, number>();
    return this.ops.every((op) => {
      const client = m.clients[op.client];
      const resolution = client && m.resolve(client, op.via);
      if (!client || resolution?.kind !== 'session') return false;
      if (op.kind === 'add') {
        const owner = m.ownerOf(resolution.session);
        const key = `${owner}/${op.sku}`;
        adds.set(key, (adds.get(key) ?? 0) + op.quantity);
        if (!fitsLine(m, owner, op.sku, adds.get(key)!)) return false;
      }
      return op.via === 'bearer' || op.kind !== 'add' || m.holdsCsrf(client);
    });
  }

  async run(m: Model, r: Real): Promise<void> {
    const what = this.toString();
    const sessions = this.ops.map(
      (op) => (m.resolve(m.clients[op.client]!, op.via) as { session: SessionState }).session,
    );
    const owners = sessions.map((session) => m.ownerOf(session));
    const before = new Map<OwnerKey, Map<string, number>>();
    const added = new Map<OwnerKey, Map<string, number>>();
    for (const [i, op] of this.ops.entries()) {
      const owner = owners[i]!;
      if (!before.has(owner)) before.set(owner, new Map(m.carts.get(owner)));
      if (op.kind === 'add') {
        const sums = added.get(owner) ?? new Map<string, number>();
        sums.set(op.sku, (sums.get(op.sku) ?? 0) + op.quantity);
        added.set(owner, sums);
      }
    }

    const replies = await Promise.all(
      this.ops.map((op) => {
        const options = { via: op.via };
        if (op.kind === 'add') return act(r, op.client, 'addItem', { sku: op.sku, quantity: op.quantity }, options);
        return act(r, op.client, op.kind === 'getCart' ? 'getCart' : 'whoami', {}, options);
      }),
    );

    for (const [i, op] of this.ops.entries()) {
      const label = `${what}: ${opLabel(op)}`;
      const value = expectOk(replies[i]!, label);
      if (op.kind === 'getSession') {
        expectSessionView(m, r, value as SessionView, sessions[i]!, label);
        continue;
      }
      const cart = value as Cart;
      const owner = owners[i]!;
      expectCartShape(m, r, cart, owner, label);
      const start = before.get(owner)!;
      const sums = added.get(owner) ?? new Map<string, number>();
      const shown = quantities(m, cart);
      for (const sku of new Set([...start.keys(), ...sums.keys(), ...shown.keys()])) {
        const low = (start.get(sku) ?? 0) + (op.kind === 'add' && op.sku === sku ? op.quantity : 0);
        const high = (start.get(sku) ?? 0) + (sums.get(sku) ?? 0);
        const quantity = shown.get(sku) ?? 0;
        if (quantity < low || quantity > high) {
          violation(
            `${label}: ${sku} shows ${quantity}, allowed ${low}..${high} (start ${start.get(sku) ?? 0}, adds in the batch ${sums.get(sku) ?? 0})`,
            'no-lost-updates',
          );
        }
      }
    }

    for (const [owner, sums] of added) {
      const cart = m.cart(owner);
      for (const [sku, quantity] of sums) cart.set(sku, (cart.get(sku) ?? 0) + quantity);
    }
    for (const session of new Set(sessions)) m.touch(session, true);

    // the end state, read back once per owner after every request has answered
    for (const owner of new Set(owners)) {
      const i = owners.indexOf(owner);
      const op = this.ops[i]!;
      const then = `${what}: then GetCart (c${op.client})`;
      const cart = expectOk(await act(r, op.client, 'getCart', {}, { via: op.via }), then);
      const expected = linesOf(m.carts.get(owner));
      const actual = linesOf(quantities(m, cart));
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        violation(
          `${then}: expected cart ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
          'no-lost-updates',
        );
      expectCart(m, r, cart, owner, then);
    }
  }

  toString(): string {
    return `ParallelBatch[${this.ops.map(opLabel).join(', ')}]`;
  }
}
