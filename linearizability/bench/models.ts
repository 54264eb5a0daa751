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

function cartKey(lines: CartLines): string {
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

/**
 * The atomic objects a benchmark or a test runs plans against: plain mutable state, written apart from the models so
 * that a mistake in a model is not repeated here.
 */
export function atomicRegister(): (input: RegisterInput) => RegisterOutput {
  let value = 0;
  return (input) => {
    if (input.kind === 'read') return value;
    value = input.value;
    return null;
  };
}

export function atomicCart(): (input: CartInput) => CartOutput {
  const lines = new Map<string, number>();
  return (input) => {
    if (input.kind === 'add') lines.set(input.sku, (lines.get(input.sku) ?? 0) + input.quantity);
    if (input.kind === 'set') lines.set(input.sku, input.quantity);
    if (input.kind === 'remove' || (input.kind === 'set' && input.quantity === 0)) lines.delete(input.sku);
    return [...lines].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
  };
}
