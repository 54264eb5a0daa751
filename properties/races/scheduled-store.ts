import type { Store } from '../../server/stores/store.ts';
import type { RaceGate } from './gate.ts';

/**
 * A store decorator that routes every call of a racing request through the gate. The call starts only when the
 * scheduler releases it, so the order in which store operations take effect is the scheduler's choice (within each
 * request's own order), which is the interleaving space of handlers built from atomic store operations.
 */
export function scheduledStore(inner: Store, gate: RaceGate): Store {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      const name = String(property);
      return async (...args: unknown[]) => {
        await gate.pause(`${name}(${args.map(describe).join(', ')})`);
        return method.apply(target, args);
      };
    },
  });
}

/** Argument text for the scheduler's report: owners and SKUs read well; random ids and records are abbreviated. */
function describe(argument: unknown): string {
  if (typeof argument === 'string')
    return /^(guest|user):/.test(argument)
      ? argument.replace(/:(.{6}).*/, ':$1…')
      : argument.length > 12
        ? `${argument.slice(0, 6)}…`
        : argument;
  if (typeof argument === 'number') return String(argument);
  if (argument && typeof argument === 'object' && 'sku' in argument) return JSON.stringify(argument);
  return typeof argument === 'object' ? '{…}' : String(argument);
}
