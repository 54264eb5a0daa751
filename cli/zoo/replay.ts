import { replayCommand } from '../../properties/report.ts';
import type { PropertyResult } from '../../properties/runner.ts';
import type { ScenarioRunOptions } from '../../scenarios/run.ts';

/** Where a zoo row ran: the flags that rebuild the same server for a replay. */
export interface ZooServerSpec {
  store: string;
  faults: readonly string[];
  instances: number;
}

function serverFlags(spec: ZooServerSpec): string[] {
  return [...spec.faults.map((id) => `--fault ${id}`), spec.store === 'memory' ? '' : `--store ${spec.store}`];
}

/** `sessionproof props --fault ID [--instances 1] --only NAME --seed=S --path P --replay-path R`: the shrunk failure, again. */
export function propertyReplay(result: PropertyResult, spec: ZooServerSpec): string {
  const flags = [...serverFlags(spec), spec.instances === 2 ? '' : `--instances ${spec.instances}`]
    .filter(Boolean)
    .join(' ');
  return replayCommand(result, null).replace(/^sessionproof props/, `sessionproof props ${flags}`.trimEnd());
}

/** `sessionproof load SCENARIO --fault ID --clients N --duration S ...`: the scenario at the size the zoo ran it. */
export function scenarioReplay(
  scenario: string,
  options: Omit<ScenarioRunOptions, 'scenario'>,
  spec: ZooServerSpec,
): string {
  const load = options.load ?? {};
  return [
    `sessionproof load ${scenario}`,
    ...serverFlags(spec),
    load.clients === undefined ? '' : `--clients ${load.clients}`,
    load.durationSeconds === undefined ? '' : `--duration ${load.durationSeconds}`,
    load.ratePerSecond === undefined ? '' : `--rate ${load.ratePerSecond}`,
    options.parallel === undefined ? '' : `--parallel ${options.parallel}`,
    options.sessions === undefined ? '' : `--sessions ${options.sessions}`,
    options.carts === undefined ? '' : `--carts ${options.carts}`,
  ]
    .filter(Boolean)
    .join(' ');
}
