import type { PropertyDefinition } from '../property.ts';
import { cleanup } from './cleanup.ts';
import { csrfBinding } from './csrf-binding.ts';
import { invalidation } from './invalidation.ts';
import { isolation } from './isolation.ts';
import { linearizable } from './linearizable.ts';
import { mergeCorrectness } from './merge-correctness.ts';
import { noDuplicateCarts } from './no-duplicate-carts.ts';
import { noLostUpdates } from './no-lost-updates.ts';
import { ordersAndWishlist } from './orders-and-wishlist.ts';
import { population } from './population.ts';
import { refreshRotation } from './refresh-rotation.ts';
import { rotationOnLogin } from './rotation-on-login.ts';
import { sessionIdStability } from './session-id-stability.ts';
import { strictMode } from './strict-mode.ts';

/** Every property family, in the order reports list them. */
export const families: PropertyDefinition[] = [
  sessionIdStability,
  strictMode,
  rotationOnLogin,
  noLostUpdates,
  noDuplicateCarts,
  mergeCorrectness,
  isolation,
  csrfBinding,
  invalidation,
  refreshRotation,
  cleanup,
  ordersAndWishlist,
  population,
  linearizable,
];
