import { findThenTouchSession, type Store } from '../stores/store.ts';

/**
 * A store that behaves like `inner` except for the methods in `overrides`. Overriding how a session is found or
 * touched also changes the fused find-and-touch, which then runs as those two steps on the decorated store.
 */
export function decorateStore(inner: Store, overrides: Partial<Store>): Store {
  const changes = (name: keyof Store) => Object.hasOwn(overrides, name);
  const fused =
    !changes('findSessionBySecretAndTouch') && (changes('findSessionBySecret') || changes('touchSession'))
      ? { findSessionBySecretAndTouch: (secret: string, now: number) => findThenTouchSession(decorated, secret, now) }
      : {};
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
