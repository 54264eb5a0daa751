import { contractV1 } from '../../adapters/contract-v1.ts';

/**
 * The adapter the k6 scripts drive. This module is contract v1; `npm run k6:build -- --adapter FILE` bundles the
 * user's adapter in its place, so the same scripts drive any app.
 */
export default contractV1();
