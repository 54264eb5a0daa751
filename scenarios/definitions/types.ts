/**
 * Scenario definitions are plain data shared by the autocannon runner (Node) and the k6 scripts (k6's JavaScript
 * runtime), so this folder imports nothing but itself: no Node modules, no k6 modules.
 */

export type ScenarioName = 'refresh-storm' | 'cleanup-under-load' | 'cart-contention' | 'session-churn';

/** A correctness check: the named counter must satisfy `op value` on a correct server. */
export interface CheckDefinition {
  /** The counter's name in summary.json (`lost updates`). */
  counter: string;
  /** The same counter as a k6 Counter metric (`lost_updates`). */
  metric: string;
  op: '==' | '<=' | '>=';
  value: number;
  /** What a failure means, for a person: the report shows it beside the counter and in the failure message. */
  meaning: string;
}

/** One kind of request in a scenario's mix. */
export interface RequestDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
}

export interface ScenarioDefinition<Defaults> {
  name: ScenarioName;
  /** One line for a person: what the scenario does and what must hold. `sessionproof load` lists it. */
  summary: string;
  defaults: Defaults;
  /** The steady request mix each client repeats. */
  mix: RequestDefinition[];
  /** The runner's correctness checks, counted by the Node runner (and each a zoo column). */
  checks: CheckDefinition[];
  /**
   * The k6 script's checks, where a k6 VU cannot count what `checks` counts (it sees only its own responses): such a
   * check gets a name of its own, so one name is one measure wherever it appears. Absent: the k6 script counts
   * `checks`.
   */
  k6Checks?: CheckDefinition[];
}

/** k6 `thresholds` for a scenario's k6 checks: each check becomes a threshold on its Counter metric. */
export function k6Thresholds(
  definition: Pick<ScenarioDefinition<unknown>, 'checks' | 'k6Checks'>,
): Record<string, string[]> {
  const thresholds: Record<string, string[]> = {};
  for (const check of definition.k6Checks ?? definition.checks)
    (thresholds[check.metric] ??= []).push(`count${check.op}${check.value}`);
  return thresholds;
}

/**
 * The scenarios that reach an app only through its adapter's operations, so they run against any app. The others
 * move the server's clock, sweep it and read its stats through contract v1's test controls.
 */
export const adapterScenarios: readonly ScenarioName[] = ['cart-contention', 'session-churn'];
