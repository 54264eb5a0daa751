import type { Cart, ListedSession, LoginResult, Order, Refusal, SessionView, Tokens } from '../../adapters/types.ts';

/**
 * The operations a parallel program is made of, in the model's terms. Each is one adapter operation sent the way the
 * adapter's identity travels (identity.ts), but `clone`, which records that a process (a second tab) starts with a copy of another's cookies and tokens.
 */
export type ProgramOp =
  | { kind: 'openSession' }
  | { kind: 'whoami' }
  | { kind: 'getCart' }
  | { kind: 'addItem'; sku: string; quantity: number }
  | { kind: 'setQuantity'; sku: string; quantity: number }
  | { kind: 'removeItem'; sku: string }
  | { kind: 'login'; user: number }
  | { kind: 'logout' }
  | { kind: 'logoutAll' }
  /** Presents the refresh token `back` generations before the latest the process holds (its oldest, if fewer). */
  | { kind: 'refresh'; back: number }
  | { kind: 'listSessions' }
  | { kind: 'checkout' };

export type OpKind = ProgramOp['kind'];

/** What the checker's history records as an operation's input: which process (client) did what. */
export type LinInput = { client: number; op: ProgramOp } | { client: number; op: { kind: 'clone'; from: number } };

/** An answer as the model reads it: success with the adapter's normalised value, or the refusal. */
export interface LinOutput {
  outcome: 'ok' | Refusal;
  value: SessionView | Cart | LoginResult | Order | Tokens | ListedSession[] | null;
}

/** A program operation as a report prints it: `add(SKU-1 x2)`, `login(user0)`. */
export function opLabel(op: ProgramOp | { kind: 'clone'; from: number }): string {
  switch (op.kind) {
    case 'addItem':
      return `add(${op.sku} x${op.quantity})`;
    case 'setQuantity':
      return `set(${op.sku} =${op.quantity})`;
    case 'removeItem':
      return `remove(${op.sku})`;
    case 'login':
      return `login(user${op.user})`;
    case 'clone':
      return `clone(p${op.from})`;
    case 'refresh':
      return op.back === 0 ? 'refresh()' : `refresh(${op.back} back)`;
    default:
      return `${op.kind}()`;
  }
}

function cartText(cart: Cart): string {
  const lines = cart.items.map((line) => `${line.sku}x${line.quantity}`).join(' ');
  return `${cart.id === null ? '' : `cart ${cart.id.slice(0, 8)} `}[${lines}]`;
}

function viewText(view: SessionView): string {
  return `${view.user ?? 'guest'}${view.id === null ? '' : ` @${view.id.slice(0, 8)}`}`;
}

/** An answer in a few words: the cart's lines, the session's user and id, the order, or the refusal. */
export function outputLabel(input: LinInput, output: LinOutput | undefined): string {
  if (output === undefined) return '?';
  if (output.outcome !== 'ok') return output.outcome;
  const value = output.value;
  if (value === null) return 'ok';
  switch (input.op.kind) {
    case 'openSession':
    case 'whoami':
      return viewText(value as SessionView);
    case 'login': {
      const session = (value as LoginResult).session;
      return session === null ? 'ok' : viewText(session);
    }
    case 'refresh': {
      const token = (value as Tokens).refreshToken;
      return token === null ? 'no token' : `token ${token.slice(-8)}`;
    }
    case 'listSessions':
      return `[${(value as ListedSession[]).map((session) => `${session.id.slice(0, 8)}${session.current ? '*' : ''}`).join(' ')}]`;
    case 'checkout': {
      const order = value as Order;
      return `order ${order.id.slice(0, 8)} [${order.items.map((line) => `${line.sku}x${line.quantity}`).join(' ')}]`;
    }
    default:
      return cartText(value as Cart);
  }
}
