import type { ServerConfig } from '../server/config.ts';
import type { ScenarioResult } from '../reports/schema.ts';
import type { RefreshClientKind } from './definitions/refresh-storm.ts';
import { adapterScenarios, refreshStorm, scenarioNames, type ScenarioName } from './definitions/index.ts';
import { runCartContention } from './runners/cart-contention.ts';
import { runCleanupUnderLoad } from './runners/cleanup-under-load.ts';
import { runRefreshStorm } from './runners/refresh-storm.ts';
import { runSessionChurn } from './runners/session-churn.ts';
import { ScenarioNotApplicable, type LoadRequestOptions, type ScenarioContext } from './scenario.ts';
import type { Adapter } from '../adapters/adapter.ts';
import { urlTarget, type Credentials } from '../properties/targets.ts';
import { externalServer, startReferenceServer } from './servers.ts';

export interface ScenarioRunOptions {
  scenario: ScenarioName;
  /** A user's server (loopback only); otherwise the reference server on `store` with `faults`. */
  target?: string;
  /** How to reach a `target` that does not speak contract v1. */
  adapter?: Adapter;
  /** Accounts for a `target` without a users control or a register operation. */
  accounts?: Credentials[];
  store?: string;
  faults?: string[];
  /** CPUs the reference server keeps to (cpu-pinning.ts); not for a `target`, which runs where its owner put it. */
  serverCpus?: readonly number[];
  load?: LoadRequestOptions;
  /** Scenario-specific: refresh-storm */
  parallel?: number;
  clientKind?: RefreshClientKind;
  recoveryDeadlineSeconds?: number;
  connections?: number;
  pipelining?: number;
  /** Scenario-specific: cleanup-under-load */
  sessions?: number;
  large?: boolean;
  expiredShare?: number;
  /** Sweep budgets (percent) compared after the server's own; the scenario's defaults when absent. */
  compareBudgets?: number[];
  /** Scenario-specific: cart-contention */
  carts?: number;
  progress?: (line: string) => void;
}

export function isScenarioName(name: string): name is ScenarioName {
  return (scenarioNames as readonly string[]).includes(name);
}

/**
 * scrypt's N for the storm's test users: thousands of them sign in before the storm, and at the default cost that
 * alone takes minutes on 2 cores. The storm measures refreshes, not password hashing.
 */
const signInPasswordCost = 16;

/** What a scenario needs from the reference server beyond its defaults. */
function serverConfigFor(scenario: ScenarioName): Partial<ServerConfig> {
  // Jumping the clock past a 30-minute access token would also pass the 15-minute idle timeout and end every
  // session: the storm would measure logouts, not refreshes.
  if (scenario === 'refresh-storm')
    return { accessTokenMs: refreshStorm.defaults.accessTokenMs, passwordCost: signInPasswordCost };
  return {};
}

/** Starts the server the run needs (unless given one), runs the scenario, stops the server and cleans its store. */
export async function runScenario(options: ScenarioRunOptions): Promise<ScenarioResult> {
  const progress = options.progress ?? (() => {});
  const server = options.target
    ? externalServer(options.target)
    : await startReferenceServer({
        store: options.store ?? 'memory',
        faults: options.faults ?? [],
        config: serverConfigFor(options.scenario),
        ...(options.serverCpus ? { cpus: options.serverCpus } : {}),
      });
  try {
    if (options.adapter && !adapterScenarios.includes(options.scenario))
      throw new ScenarioNotApplicable(
        `${options.scenario} drives contract v1 and its test controls directly; through an adapter only ${adapterScenarios.join(' and ')} run`,
      );
    const target = await urlTarget([server.url], {
      ...(options.adapter ? { adapter: options.adapter } : {}),
      ...(options.accounts ? { accounts: options.accounts } : {}),
    });
    const before = await server.memory();
    const result = await run(options, { server, target, load: options.load ?? {}, progress });
    const after = result.memory === null && before ? await server.memory() : null;
    return after && before ? { ...result, memory: { before, after } } : result;
  } finally {
    await server.stop();
  }
}

function run(options: ScenarioRunOptions, context: ScenarioContext): Promise<ScenarioResult> {
  switch (options.scenario) {
    case 'refresh-storm':
      return runRefreshStorm(context, {
        parallel: options.parallel,
        clientKind: options.clientKind,
        recoveryDeadlineSeconds: options.recoveryDeadlineSeconds,
        connections: options.connections,
        pipelining: options.pipelining,
      });
    case 'cleanup-under-load':
      return runCleanupUnderLoad(context, {
        sessions: options.sessions,
        large: options.large,
        expiredShare: options.expiredShare,
        compareBudgets: options.compareBudgets,
      });
    case 'cart-contention':
      return runCartContention(context, { carts: options.carts });
    case 'session-churn':
      return runSessionChurn(context);
  }
}
