import type { SequentialModel } from '../model.ts';

/** A read/write register holding a number, 0 at first. A write answers null. */
export type RegisterInput = { kind: 'write'; value: number } | { kind: 'read' };
export type RegisterOutput = number | null;

export const registerModel: SequentialModel<number, RegisterInput, RegisterOutput> = {
  init: () => 0,
  step: (state, input, output) => {
    if (input.kind === 'write') return input.value;
    return output === undefined || output === state ? state : null;
  },
  key: (state) => String(state),
  describeOperation: (input, output) =>
    input.kind === 'write' ? `write ${input.value}` : `read → ${output === undefined ? '?' : output}`,
};

/**
 * One cart's lines, sorted by SKU. An operation answers the cart as it left it, as contract v1's cart does, or null
 * when it answers without the cart (a 204), which tells nothing about the lines.
 */
export type CartLines = { sku: string; quantity: number }[];
export type CartOutput = CartLines | null;
export type CartInput =
  | { kind: 'add'; sku: string; quantity: number }
  | { kind: 'set'; sku: string; quantity: number }
  | { kind: 'remove'; sku: string }
  | { kind: 'read' };

export function cartKey(lines: CartLines): string {
  return lines.map((line) => `${line.sku}=${line.quantity}`).join(',');
}

function applyToCart(lines: CartLines, input: CartInput): CartLines {
  if (input.kind === 'read') return lines;
  const others = lines.filter((line) => line.sku !== input.sku);
  const held = lines.find((line) => line.sku === input.sku)?.quantity ?? 0;
  const quantity = input.kind === 'add' ? held + input.quantity : input.kind === 'set' ? input.quantity : 0;
  if (quantity === 0) return others;
  return [...others, { sku: input.sku, quantity }].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

export const cartModel: SequentialModel<CartLines, CartInput, CartOutput> = {
  init: () => [],
  step: (state, input, output) => {
    const next = applyToCart(state, input);
    return output === undefined || output === null || cartKey(output) === cartKey(next) ? next : null;
  },
  key: cartKey,
  describeState: (state) => `{${cartKey(state)}}`,
  describeOperation: (input, output) => {
    const answer = output === undefined ? '?' : output === null ? 'done' : `{${cartKey(output)}}`;
    if (input.kind === 'read') return `read → ${answer}`;
    if (input.kind === 'remove') return `remove ${input.sku} → ${answer}`;
    return `${input.kind} ${input.sku} ${input.quantity} → ${answer}`;
  },
};
