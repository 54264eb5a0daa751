import fc from 'fast-check';
import { offers } from '../../adapters/engine.ts';
import { History } from '../../adapters/history.ts';
import { check, type CheckResult, type PartitionResult } from '../../linearizability/checker.ts';
import type { Operation } from '../../linearizability/history.ts';
import { timeline } from '../../linearizability/timeline.ts';
import { timelineSvg } from '../../linearizability/timeline-svg.ts';
import { timelineMarkdown, timelineText } from '../../linearizability/timeline-text.ts';
import { PropertyViolation } from '../commands/shared.ts';
import type { PropertyDefinition } from '../property.ts';
import type { PropertyResult, RunOptions } from '../runner.ts';
import { checkParameters, lacks, notApplicable as notApplicableResult } from '../outcome.ts';
import type { Target } from '../targets.ts';
import { execute } from './execute.ts';
import { identityRequirements } from './identity.ts';
import { graceWindow, SessionModel } from './model.ts';
import type { LinInput, LinOutput, OpKind } from './operations.ts';
import { operationCount, programArbitrary, programLabel, type Program } from './program.ts';

/** The checker's wall-clock budget for one history; a history that needs more is counted unchecked, not passed. */
export const checkBudgetMs = 5_000;

type Checked = CheckResult<LinInput, LinOutput>;

/** A history the checker refused, with what a reader needs: the verdict's text, the timeline in three forms. */
function explain(model: SessionModel, result: Checked, processes: string[]) {
  const decided = result.decidedBy as Extract<PartitionResult<LinInput, LinOutput>, { verdict: 'not-linearizable' }>;
  const describe = (operation: Operation<LinInput, LinOutput>) =>
    model.describeOperation(operation.input, operation.outcome === 'ok' ? operation.output : undefined);
  const laid = timeline(decided.operations, {
    highlight: decided.unorderable.map((operation) => operation.id),
    describe,
  });
  const text = timelineText(laid);
  const prefix = decided.longestPrefix.map((operation) => `${operation.process}:${describe(operation)}`);
  const error = [
    `no order of the ${decided.operations.length} operations explains every answer (processes ${processes.join(', ')})`,
    `longest order the model accepts: ${prefix.length > 0 ? prefix.join(' ; ') : '(none)'}`,
    `model state after it: ${decided.statesAfterPrefix.join(' or ')}`,
    `none of these can come next: ${decided.unorderable.map((operation) => `${operation.process}:${describe(operation)}`).join(' ; ')}`,
    '',
    'timeline (ms since the first invoke; ! admits no order):',
    text.trimEnd(),
  ].join('\n');
  return { error, timeline: { text, markdown: timelineMarkdown(laid), svg: timelineSvg(laid) } };
}

/**
 * Runs a parallel-program family: fast-check draws programs, each runs against the target with its history
 * recorded, and the checker decides whether some order of its operations explains every answer under the model.
 */
export async function runParallelProperty(
  definition: PropertyDefinition,
  target: Target,
  options: RunOptions,
): Promise<PropertyResult> {
  const started = performance.now();
  const base = { name: definition.name, holds: definition.holds };
  const notApplicable = (reason: string) => notApplicableResult(definition, reason);
  const { adapter } = target;
  const { identity } = adapter.semantics;
  const missing = target.missing([...definition.requires, ...identityRequirements(identity)]);
  if (missing.length > 0) return notApplicable(lacks(missing));
  const users = target.missing(['accounts']).length === 0 ? (definition.users ?? 0) : 0;
  const env = {
    offers: (kind: OpKind) => offers(adapter, kind),
    skus: adapter.semantics.skus.slice(0, 3),
    users,
    identity,
    refreshes:
      users > 0 &&
      offers(adapter, 'refresh') &&
      offers(adapter, 'login') &&
      (adapter.semantics.rotatesOnLogin || identity === 'bearer'),
  };

  let requests = 0;
  let unchecked = 0;
  let checked = 0;
  let firstFailureAt: number | null = null;
  type Failing = { program: Program; exchanges: History; explained: ReturnType<typeof explain> | null };
  let lastFailure: Failing | null = null;
  const property = fc.asyncProperty(programArbitrary(env), async (program) => {
    const exchanges = new History();
    try {
      const accounts = users > 0 ? await target.accounts(users, exchanges) : [];
      const { operations, processes } = await execute(program, adapter, accounts, target.router(), exchanges);
      const spanMs = operations.length === 0 ? 0 : performance.now() - operations[0]!.invokedAt;
      const model = new SessionModel({
        semantics: adapter.semantics,
        emails: accounts.map((account) => account.email),
        processes: processes.length,
        grace: graceWindow(adapter.semantics.timeouts.refreshGraceMs, spanMs),
      });
      const result = check(model, operations, { timeBudgetMs: checkBudgetMs });
      checked++;
      if (result.verdict === 'unchecked') {
        unchecked++;
        return;
      }
      if (result.verdict === 'not-linearizable') {
        firstFailureAt ??= performance.now();
        const explained = explain(model, result, processes);
        lastFailure = { program, exchanges, explained };
        throw new PropertyViolation(explained.error, definition.name);
      }
    } catch (error) {
      // an adapter that cannot build a request or read an answer fails the run too, with no timeline
      if (!(error instanceof PropertyViolation)) {
        firstFailureAt ??= performance.now();
        lastFailure = { program, exchanges, explained: null };
      }
      throw error;
    } finally {
      requests += exchanges.exchanges.length;
    }
  });
  const details = await fc.check(property, checkParameters<[Program]>(definition, options));
  const seconds = (performance.now() - started) / 1000;
  const result: PropertyResult = {
    ...base,
    verdict: 'passed',
    runs: details.numRuns,
    skipped: details.numSkips,
    seed: details.seed,
    requests,
    seconds,
  };
  if (unchecked > 0) {
    result.reason = `${unchecked} of ${checked} histories unchecked: the checker hit its bound (${checkBudgetMs} ms)`;
    if (unchecked === checked && !details.failed) result.verdict = 'not applicable';
  }
  if (!details.failed) return result;
  const failing = lastFailure as Failing | null;
  const shrunk = failing?.program ?? (details.counterexample?.[0] as Program | undefined);
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return {
    ...result,
    verdict: 'failed',
    ...(firstFailureAt === null ? {} : { secondsToFailure: (firstFailureAt - started) / 1000 }),
    failure: {
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      replayPath: null,
      commands: shrunk ? `${programLabel(shrunk)} (${operationCount(shrunk)} operations)` : '',
      error,
      exchanges: failing?.exchanges.inOrder() ?? [],
      ...(failing?.explained ? { timeline: failing.explained.timeline } : {}),
    },
  };
}
