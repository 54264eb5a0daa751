import type { Adapter } from './adapter.ts';
import { offers, perform, type OpResult } from './engine.ts';
import type { Account, ArgsOf, CartLine, OperationName, Via } from './types.ts';
import type { VirtualUser } from './virtual-user.ts';

/** One operation of the walk: what was sent, how it ended, and where the app did not match the adapter. */
export interface WalkStep {
  operation: OperationName;
  sent: string[];
  outcome: string;
  shown: string;
  problems: string[];
}

/** The quantity of a SKU as the app shows it: the sum of its lines (one line per add, or one line in all). */
function quantityOf(lines: readonly CartLine[] | undefined, sku: string): number {
  return (lines ?? []).filter((line) => line.sku === sku).reduce((sum, line) => sum + line.quantity, 0);
}

function clip(text: string, max = 160): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * Walks each operation an adapter offers once, in an order that makes sense for its declared identity, and checks
 * the answers against what the adapter declares. It never throws: an operation that fails is a step with a problem.
 */
export async function walkAdapter(
  adapter: Adapter,
  user: VirtualUser,
  account: Account | null,
  onStep: (step: WalkStep) => void = () => {},
): Promise<WalkStep[]> {
  const { semantics } = adapter;
  const via: Via = semantics.identity === 'bearer' ? 'bearer' : 'cookie';
  const sku = semantics.skus[0]!;
  const steps: WalkStep[] = [];

  async function step<N extends OperationName>(
    name: N,
    args: ArgsOf<N>,
    expect: (result: OpResult<N>) => string[] = () => [],
    options: { via?: Via } = {},
  ): Promise<OpResult<N> | null> {
    if (!offers(adapter, name)) return null;
    const before = user.history.exchanges.length;
    let result: OpResult<N> | null = null;
    const problems: string[] = [];
    try {
      result = await perform(user, adapter, name, args, { via: options.via ?? via });
      if (result.outcome === 'ok') problems.push(...expect(result));
      else problems.push(`expected it to succeed, got ${result.outcome}${result.code ? ` (${result.code})` : ''}`);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
    const sent = user.history.exchanges
      .slice(before)
      .map((exchange) => `${exchange.method} ${new URL(exchange.url).pathname} -> ${exchange.status}`);
    const shown = result === null ? '' : clip(JSON.stringify(result.value ?? result.body) ?? '');
    const done: WalkStep = { operation: name, sent, outcome: result?.outcome ?? 'error', shown, problems };
    steps.push(done);
    onStep(done);
    return result;
  }

  const expectQuantity =
    (quantity: number) =>
    (result: OpResult<'addItem' | 'setQuantity' | 'removeItem' | 'getCart'>): string[] => {
      const shown = quantityOf(result.value?.items, sku);
      return shown === quantity ? [] : [`expected ${sku} x${quantity} in the cart, it shows ${shown}`];
    };

  async function cartRound(): Promise<void> {
    await step('getCart', {});
    await step('addItem', { sku, quantity: 2 }, expectQuantity(2));
    await step('addItem', { sku, quantity: 1 }, (result) => {
      const lines = (result.value?.items ?? []).filter((line) => line.sku === sku).length;
      const problems = expectQuantity(3)(result);
      if (semantics.add === 'increment' && lines > 1)
        problems.push(`declared add "increment", but ${sku} has ${lines} lines (declare "line-per-add"?)`);
      return problems;
    });
    await step('setQuantity', { sku, quantity: 5 }, expectQuantity(5));
    await step('removeItem', { sku }, expectQuantity(0));
  }

  const guestFirst = semantics.guestCarts && semantics.identity !== 'bearer';
  const opened = await step('openSession', {});
  if (guestFirst) await cartRound();
  if (account) {
    await step('register', account);
    const before = opened?.value?.id ?? null;
    await step('login', account, (result) => {
      const problems: string[] = [];
      const after = result.value?.session?.id ?? null;
      if (semantics.rotatesOnLogin && before !== null && after !== null && before === after)
        problems.push(`declared rotatesOnLogin, but the session id ${after} did not change`);
      if (semantics.identity.includes('bearer') && result.value?.accessToken === null)
        problems.push('identity travels by bearer token, but the parser found no access token');
      return problems;
    });
    await step('whoami', {}, (result) =>
      result.value?.user === account.email ? [] : [`expected user ${account.email}, got ${result.value?.user}`],
    );
    if (!guestFirst) await cartRound();
    const refreshToken = user.state.refreshToken;
    if (refreshToken !== null)
      await step('refresh', { refreshToken }, (result) =>
        result.value?.accessToken ? [] : ['the refresh answer carries no access token'],
      );
    await step('listSessions', {}, (result) =>
      (result.value ?? []).some((session) => session.current) ? [] : ['no listed session is marked current'],
    );
    if (offers(adapter, 'checkout')) {
      await step('addItem', { sku, quantity: 1 }, expectQuantity(1));
      await step('checkout', { idempotencyKey: null, note: 0 }, (result) =>
        quantityOf(result.value?.items, sku) === 1 ? [] : [`the order should hold ${sku} x1`],
      );
      await step('listOrders', {}, (result) => ((result.value ?? []).length > 0 ? [] : ['no order listed']));
    }
    await step('wishlistPut', { productId: sku }, (result) =>
      (result.value ?? []).some((item) => item.productId === sku) ? [] : [`${sku} is not in the wishlist`],
    );
    await step('getWishlist', {});
    await step('wishlistDelete', { productId: sku }, (result) =>
      (result.value ?? []).some((item) => item.productId === sku) ? [`${sku} is still in the wishlist`] : [],
    );
    await step('logout', {});
  }
  return steps;
}
