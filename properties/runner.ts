import fc from 'fast-check';
import { commandArbitraries, type Command, type CommandKind } from './commands/index.ts';
import { expectEndedCounted, freezeClocks, outliveEarlierRuns, sessionCounts, thawClocks } from './commands/clock.ts';
import { PropertyViolation, type Real } from './commands/shared.ts';
import { History, type Exchange } from '../adapters/history.ts';
import { VirtualUser } from '../adapters/virtual-user.ts';
import { offers } from '../adapters/engine.ts';
import { InRealTime } from './commands/real-time.ts';
import { Model, modelConfig, type Clock, type ModelConfig } from './model.ts';
import type { PropertyDefinition } from './property.ts';
import { checkParameters, lacks, notApplicable as notApplicableResult } from './outcome.ts';
import type { Target } from './targets.ts';
import { runParallelProperty } from './linearizable/run.ts';

export interface RunOptions {
  runs: number;
  seed?: number;
  path?: string;
  /** fast-check's hint for replaying a shrunk command list exactly (printed with each failure). */
  replayPath?: string;
}

export interface Failure {
  seed: number;
  path: string;
  replayPath: string | null;
  commands: string;
  error: string;
  exchanges: Exchange[];
  /** For a history no order explains: its timeline, with the operations that admit no order highlighted. */
  timeline?: { text: string; markdown: string; svg: string };
}

export interface PropertyResult {
  name: string;
  /** The guarantee the property holds a server to, so a failure says what broke, not only where. */
  holds: string;
  verdict: 'passed' | 'failed' | 'not applicable';
  runs: number;
  skipped: number;
  /** HTTP requests sent over all runs, setup included. */
  requests: number;
  seconds: number;
  /** fast-check's seed for the runs; absent when the property did not run. */
  seed?: number;
  /** Seconds from the start until the first failing run, before shrinking; absent when nothing failed. */
  secondsToFailure?: number;
  /** Why the property did not run, or which of its command groups the target could not support. */
  reason?: string;
  failure?: Failure;
}

const startingClients = 2;

/** Runs start with two clients holding empty jars, so most generated commands have someone to act for. */
function startingModel(config: ModelConfig, users: number, real: Real, clock: Clock): Model {
  const model = new Model(config, users, clock);
  for (let i = 0; i < startingClients; i++) {
    const state = model.addClient({ cookie: null, csrfOf: null, access: null, refresh: null });
    real.clients.push(new VirtualUser(state.name, real.route, real.history, real.adapter.headers));
  }
  return model;
}

/** Runs one property family against a target through fast-check, keeping the history of the last failing run. */
export async function runProperty(
  definition: PropertyDefinition,
  target: Target,
  options: RunOptions,
): Promise<PropertyResult> {
  if (definition.kind === 'parallel') return runParallelProperty(definition, target, options);
  const started = performance.now();
  const notApplicable = (reason: string) => notApplicableResult(definition, reason);
  const missing = target.missing(definition.requires);
  if (missing.length > 0) return notApplicable(lacks(missing));
  const kinds: CommandKind[] = [...definition.commands];
  const without: string[] = [];
  for (const extra of definition.optional ?? []) {
    const lacking = target.missing(extra.requires);
    if (lacking.length === 0) kinds.push(...extra.kinds);
    else without.push(`without ${extra.kinds.join('/')} (${lacks(lacking)})`);
  }
  const users = target.missing(['accounts']).length === 0 ? (definition.users ?? 0) : 0;
  const { adapter } = target;
  const { semantics } = adapter;
  if (semantics.identity === 'bearer' && (users === 0 || !kinds.includes('login')))
    return notApplicable('every request needs a sign-in (identity bearer), and this property signs no one in here');
  // without a clock control, time moves on by itself while a run takes, and the model follows the wall clock
  const realTime = target.missing(['control:clock']).length > 0;
  const budget = { leftMs: target.realTimeBudgetMs };
  const clockFor = (): Clock =>
    realTime ? { kind: 'real-time', budget, startedAt: performance.now() } : { kind: 'control' };
  // a clock that can stand still between advances lets commands land on a deadline to the millisecond
  const exactTime = !realTime && target.missing(['control:freeze']).length === 0;
  const config = modelConfig(
    semantics,
    offers(adapter, 'refresh'),
    realTime ? 'real-time' : exactTime ? 'frozen' : 'control',
  );
  const drawn = commandArbitraries(
    kinds,
    {
      skus: semantics.skus.slice(0, 3),
      timeouts: config.timeouts,
      users,
      population: definition.population ?? [1100],
      identity: semantics.identity,
      slackMs: config.slackMs,
      exactTime,
      idempotencyKeys: semantics.idempotencyKeys === true,
      offers: (operation) => offers(adapter, operation),
    },
    definition.weights,
  );
  const arbitraries = realTime ? drawn.map((arbitrary) => arbitrary.map((command) => new InRealTime(command))) : drawn;
  const sweeps = kinds.includes('sweep');

  let lastFailure: { history: History; commands: Iterable<Command> } | null = null;
  let firstFailureAt: number | null = null;
  let requests = 0;
  const foreign = new Map<string, number>();
  const property = fc.asyncProperty(
    fc.commands(arbitraries, {
      maxCommands: definition.maxCommands ?? 25,
      size: 'medium',
      ...(options.replayPath ? { replayPath: options.replayPath } : {}),
    }),
    async (commands) => {
      const history = new History();
      const real: Real = {
        target,
        adapter: target.adapter,
        history,
        route: target.router(),
        accounts: users > 0 ? await target.accounts(users, history) : [],
        clients: [],
        sessionIds: new Map(),
        seenSessionIds: new Set(),
        csrf: new Map(),
        cartIds: new Map(),
        cartVersions: new Map(),
        refreshTokens: new Map(),
        rotatedAtWall: new Map(),
        sweptBaseline: null,
        endedBaseline: null,
      };
      if (exactTime) await freezeClocks(real);
      if (sweeps) {
        await outliveEarlierRuns(real, config.timeouts);
        const counts = await sessionCounts(real);
        real.sweptBaseline = counts.swept;
        real.endedBaseline = counts.ended;
      }
      try {
        const model = startingModel(config, users, real, clockFor());
        await fc.asyncModelRun(() => ({ model, real }), commands);
        if (sweeps) expectEndedCounted(model, real, await sessionCounts(real), 'at the end of the run');
      } catch (error) {
        if (error instanceof PropertyViolation && error.guarantee !== null && error.guarantee !== definition.name) {
          // the history ran into a bug another property names: that property reports it, this one learns nothing
          foreign.set(error.guarantee, (foreign.get(error.guarantee) ?? 0) + 1);
          fc.pre(false);
        }
        if (!fc.PreconditionFailure.isFailure(error)) {
          lastFailure = { history, commands };
          firstFailureAt ??= performance.now();
        }
        throw error;
      } finally {
        requests += history.exchanges.length;
      }
    },
  );
  const details = await fc.check(property, checkParameters(definition, options));
  // a target the user keeps serving gets its running clock back
  if (exactTime) await thawClocks(target);
  const seconds = (performance.now() - started) / 1000;
  const result: PropertyResult = {
    name: definition.name,
    holds: definition.holds,
    verdict: 'passed',
    runs: details.numRuns,
    skipped: details.numSkips,
    seed: details.seed,
    requests,
    seconds,
  };
  const waited = target.realTimeBudgetMs - budget.leftMs;
  const notes = [
    ...without,
    ...(realTime && waited > 0 ? [`${(waited / 1000).toFixed(0)} s waited in real time for timeouts`] : []),
    ...[...foreign].map(([name, count]) => `${count} runs stopped at a bug that ${name} names`),
  ];
  if (notes.length > 0) result.reason = notes.join('; ');
  if (!details.failed) return result;
  const failing = lastFailure as { history: History; commands: Iterable<Command> } | null;
  const commandsText = String(failing?.commands ?? details.counterexample?.[0] ?? '');
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return {
    ...result,
    verdict: 'failed',
    ...(firstFailureAt === null ? {} : { secondsToFailure: (firstFailureAt - started) / 1000 }),
    failure: {
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      replayPath: /replayPath="([^"]*)"/.exec(commandsText)?.[1] ?? null,
      commands: commandsText.replace(/\s*\/\*replayPath=.*\*\//, ''),
      error,
      exchanges: failing?.history.inOrder() ?? [],
    },
  };
}
