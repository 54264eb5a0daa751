import { findSessionThenCart, findThenTouchSession, type Store } from '../stores/store.ts';

/**
 * A store that behaves like `inner` except for the methods in `overrides`. Overriding a step of a fused call (how a
 * session is found or touched, how a cart is got) also changes the fused call, which then runs as its steps on the
 * decorated store.
 */
export function decorateStore(inner: Store, overrides: Partial<Store>): Store {
  const changes = (...names: (keyof Store)[]) => names.some((name) => Object.hasOwn(overrides, name));
  const fused: Partial<Store> = {};
  if (!changes('findSessionBySecretAndTouch') && changes('findSessionBySecret', 'touchSession')) {
    fused.findSessionBySecretAndTouch = (secret, now, touchWindowMs) =>
      findThenTouchSession(decorated, secret, now, touchWindowMs);
  }
  if (
    !changes('findSessionWithCart') &&
    changes('findSessionBySecret', 'touchSession', 'findSessionBySecretAndTouch', 'getOrCreateCart')
  ) {
    fused.findSessionWithCart = (secret, now, touchWindowMs, newCartId) =>
      findSessionThenCart(decorated, secret, now, touchWindowMs, newCartId);
  }
  const all: Partial<Store> = { ...overrides, ...fused };
  const decorated: Store = new Proxy(inner, {
    get(target, property, receiver) {
      if (Object.hasOwn(all, property)) return all[property as keyof Store];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return decorated;
}
