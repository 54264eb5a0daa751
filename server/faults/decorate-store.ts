import type { Store } from '../stores/store.ts';

/** A store that behaves like `inner` except for the methods in `overrides`. */
export function decorateStore(inner: Store, overrides: Partial<Store>): Store {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
