/** What an adapter module imports: `import { defineAdapter, referenceSemantics } from 'sessionproof'`. */
export { AdapterError, defineAdapter, operationNames, type Adapter } from './adapter.ts';
export { referenceSemantics, type LoginCart, type Semantics, type Timeouts } from './semantics.ts';
export type * from './types.ts';
