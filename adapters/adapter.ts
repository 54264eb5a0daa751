import type { Semantics } from './semantics.ts';
import type { OperationName, OperationTable } from './types.ts';

/** One app as sessionproof drives it: its operations, what it declares about itself, and headers every request needs. */
export interface Adapter {
  name: string;
  operations: OperationTable;
  semantics: Semantics;
  /** Sent with every request, for example `x-forwarded-proto: https` in front of an app that insists on TLS. */
  headers?: Record<string, string>;
}

/** An adapter that cannot be used, named with the place at fault so the user knows what to fix. */
export class AdapterError extends Error {
  override name = 'AdapterError';
}

export const operationNames: readonly OperationName[] = [
  'openSession',
  'register',
  'login',
  'whoami',
  'logout',
  'logoutAll',
  'refresh',
  'listSessions',
  'endSession',
  'getCart',
  'addItem',
  'setQuantity',
  'removeItem',
  'checkout',
  'listOrders',
  'getWishlist',
  'wishlistPut',
  'wishlistDelete',
];

/** Checks an adapter's shape and returns it; every problem is named at once, with the operation it is in. */
export function defineAdapter(adapter: Adapter): Adapter {
  const problems = adapterProblems(adapter);
  if (problems.length > 0) throw new AdapterError(`adapter ${describe(adapter)}: ${problems.join('; ')}`);
  return adapter;
}

function describe(adapter: unknown): string {
  const name = (adapter as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? `"${name}"` : '(unnamed)';
}

export function adapterProblems(adapter: unknown): string[] {
  if (typeof adapter !== 'object' || adapter === null) return ['is not an object'];
  const { name, operations, semantics } = adapter as Partial<Adapter>;
  const problems: string[] = [];
  if (typeof name !== 'string' || name === '') problems.push('needs a `name`');
  if (typeof operations !== 'object' || operations === null) return [...problems, 'needs an `operations` object'];
  for (const [key, spec] of Object.entries(operations)) {
    if (!operationNames.includes(key as OperationName)) {
      problems.push(`operation "${key}" is not one sessionproof knows (${operationNames.join(', ')})`);
      continue;
    }
    const { request, parse } = (spec ?? {}) as { request?: unknown; parse?: unknown };
    if (typeof request !== 'function') problems.push(`operation "${key}" needs a request(context) function`);
    if (typeof parse !== 'function') problems.push(`operation "${key}" needs a parse(response, context) function`);
  }
  if (typeof semantics !== 'object' || semantics === null) return [...problems, 'needs `semantics`'];
  problems.push(...semanticsProblems(semantics, operations));
  return problems;
}

/** Declarations that contradict the operations the adapter offers. */
function semanticsProblems(semantics: Semantics, operations: OperationTable): string[] {
  const problems: string[] = [];
  const has = (name: OperationName) => operations[name] !== undefined;
  if (semantics.identity === 'bearer' && semantics.guestCarts)
    problems.push('semantics: identity "bearer" has no guests, so `guestCarts` must be false');
  if (semantics.logoutEndsAccessTokens && !has('logout') && !has('logoutAll'))
    problems.push('semantics: `logoutEndsAccessTokens` is declared but there is no logout operation');
  if (
    !Array.isArray(semantics.skus) ||
    semantics.skus.length === 0 ||
    !semantics.skus.every((s) => typeof s === 'string')
  )
    problems.push('semantics: `skus` must list at least one product id');
  for (const refused of semantics.refusedSkus ?? []) {
    if (typeof refused?.sku !== 'string' || (refused.outcome !== 'invalid' && refused.outcome !== 'not-found'))
      problems.push('semantics: each of `refusedSkus` must be {sku: string, outcome: "invalid" | "not-found"}');
    else if (semantics.skus?.includes(refused.sku))
      problems.push(`semantics: ${JSON.stringify(refused.sku)} is both sold (\`skus\`) and refused (\`refusedSkus\`)`);
  }
  if (
    semantics.signedSessionCookie !== undefined &&
    (typeof semantics.signedSessionCookie !== 'string' || semantics.signedSessionCookie === '')
  )
    problems.push('semantics: `signedSessionCookie` must name the session cookie');
  for (const [key, value] of Object.entries(semantics.timeouts ?? {})) {
    if (typeof value !== 'number' || !(value > 0))
      problems.push(`semantics: timeouts.${key} must be a positive number of ms`);
  }
  return problems;
}
