import type { AsyncCommand } from 'fast-check';
import type { Reply } from '../client.ts';
import { ownerOf, type Model, type OwnerKey, type SessionState } from '../model.ts';
import {
  clientPair,
  expectCart,
  expectCartShape,
  expectSessionView,
  expectStatus,
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
    return this.ops.every((op) => {
      const client = m.clients[op.client];
      if (!client || m.resolve(client, op.via).kind !== 'session') return false;
      return op.via === 'bearer' || op.kind !== 'add' || m.holdsCsrf(client);
    });
  }

  async run(m: Model, r: Real): Promise<void> {
    const what = this.toString();
    const sessions = this.ops.map(
      (op) => (m.resolve(m.clients[op.client]!, op.via) as { session: SessionState }).session,
    );
    const owners = sessions.map(ownerOf);
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
        const client = r.clients[op.client]!;
        if (op.kind === 'add')
          return client.request('POST', '/cart/items', { via: op.via, body: { sku: op.sku, quantity: op.quantity } });
        return client.request('GET', op.kind === 'getCart' ? '/cart' : '/session', { via: op.via });
      }),
    );

    for (const [i, op] of this.ops.entries()) {
      const reply = replies[i] as Reply;
      const label = `${what}: ${opLabel(op)}`;
      expectStatus(reply, [200], label);
      if (op.kind === 'getSession') {
        expectSessionView(m, r, reply.body, sessions[i]!, label);
        continue;
      }
      const owner = owners[i]!;
      expectCartShape(r, reply.body, owner, label);
      const start = before.get(owner)!;
      const sums = added.get(owner) ?? new Map<string, number>();
      const shown = new Map(
        (reply.body.items as { sku: string; quantity: number }[]).map((line) => [line.sku, line.quantity]),
      );
      for (const sku of new Set([...start.keys(), ...sums.keys(), ...shown.keys()])) {
        const low = (start.get(sku) ?? 0) + (op.kind === 'add' && op.sku === sku ? op.quantity : 0);
        const high = (start.get(sku) ?? 0) + (sums.get(sku) ?? 0);
        const quantity = shown.get(sku) ?? 0;
        if (quantity < low || quantity > high) {
          violation(
            `${label}: ${sku} shows ${quantity}, allowed ${low}..${high} (start ${start.get(sku) ?? 0}, adds in the batch ${sums.get(sku) ?? 0})`,
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
      const [, client] = clientPair(m, r, op.client);
      const reply = await client.request('GET', '/cart', { via: op.via });
      expectStatus(reply, [200], `${what}: then GET /cart`);
      expectCart(m, r, reply.body, owner, `${what}: then GET /cart (c${op.client})`);
    }
  }

  toString(): string {
    return `ParallelBatch[${this.ops.map(opLabel).join(', ')}]`;
  }
}
