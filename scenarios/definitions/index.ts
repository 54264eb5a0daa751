import { cartContention } from './cart-contention.ts';
import { cleanupUnderLoad } from './cleanup-under-load.ts';
import { refreshStorm } from './refresh-storm.ts';
import { sessionChurn } from './session-churn.ts';
import type { ScenarioName } from './types.ts';

export { cartContention, cleanupUnderLoad, refreshStorm, sessionChurn };
export type { CheckDefinition, RequestDefinition, ScenarioDefinition, ScenarioName } from './types.ts';
export { adapterScenarios, k6Thresholds } from './types.ts';

export const scenarioNames: readonly ScenarioName[] = [
  'refresh-storm',
  'cleanup-under-load',
  'cart-contention',
  'session-churn',
];

export const definitions = {
  'refresh-storm': refreshStorm,
  'cleanup-under-load': cleanupUnderLoad,
  'cart-contention': cartContention,
  'session-churn': sessionChurn,
} as const;
