import { scenarioKey } from './ratios.ts';
import type {
  BenchGoal,
  BenchSection,
  Check,
  Counter,
  Expectation,
  PropertyResult,
  ScenarioResult,
  ZooSection,
} from './schema.ts';

export function formatExpectation(expect: Expectation): string {
  return `${expect.op} ${expect.value}`;
}

export function meets(value: number, expect: Expectation): boolean {
  return expect.op === '=='
    ? value === expect.value
    : expect.op === '<='
      ? value <= expect.value
      : value >= expect.value;
}

export function propertyCheck(p: PropertyResult): Check {
  const base = {
    name: `property ${p.name}`,
    source: 'property' as const,
    expected: 'holds on every run',
    seconds: p.seconds,
  };
  if (p.verdict === 'not-applicable') {
    return {
      ...base,
      actual: 'not applicable',
      verdict: 'skip',
      message: p.reason ?? 'the target lacks a feature this property needs',
    };
  }
  if (p.verdict === 'pass') return { ...base, actual: `held on ${p.runs} runs`, verdict: 'pass' };
  return {
    ...base,
    actual: `failed after ${p.runs} runs`,
    verdict: 'fail',
    message: p.counterexample ? `${p.counterexample.error}\ncommands: ${p.counterexample.commands}` : 'failed',
    ...(p.replay ? { replay: p.replay } : {}),
  };
}

/** One check per counter that carries an expectation; counters without one are context, not checks. */
export function scenarioChecks(s: ScenarioResult): Check[] {
  return s.counters.flatMap((counter) => {
    if (!counter.expect) return [];
    const passed = meets(counter.value, counter.expect);
    const expected = formatExpectation(counter.expect);
    return [
      {
        name: `scenario ${scenarioKey(s)}: ${counter.name}`,
        source: 'scenario' as const,
        expected,
        actual: String(counter.value),
        verdict: passed ? ('pass' as const) : ('fail' as const),
        ...(passed ? {} : { message: failureMessage(counter, expected) }),
        seconds: s.durationSeconds,
      },
    ];
  });
}

function failureMessage(counter: Counter, expected: string): string {
  const message = `${counter.name} was ${counter.value}, expected ${expected}`;
  return counter.meaning ? `${message}: ${counter.meaning}` : message;
}

export function zooChecks(zoo: ZooSection): Check[] {
  const clean: Check = {
    name: `zoo clean server (${zoo.store})`,
    source: 'zoo',
    expected: 'passes every property and scenario check',
    actual: zoo.clean.passed ? 'passed' : `failed ${zoo.clean.failures.join(', ')}`,
    verdict: zoo.clean.passed ? 'pass' : 'fail',
    ...(zoo.clean.passed ? {} : { message: `the clean server failed: ${zoo.clean.failures.join(', ')}` }),
  };
  const faults = zoo.faults.map((f): Check => {
    const base = { name: `zoo fault ${f.fault} detected`, source: 'zoo' as const, expected: 'detected' };
    if (!f.detected) {
      return {
        ...base,
        actual: 'not detected',
        verdict: 'fail',
        message: `no property or scenario check failed with fault ${f.fault} on (${f.description})`,
      };
    }
    const by = f.firstFailure ? `by ${f.firstFailure.kind} ${f.firstFailure.name}` : 'by an unnamed check';
    const after = [
      f.runsToDetect === null ? null : `${f.runsToDetect} runs`,
      f.secondsToDetect === null ? null : `${f.secondsToDetect.toFixed(2)} s`,
    ]
      .filter(Boolean)
      .join(', ');
    return {
      ...base,
      actual: `detected ${by}${after ? ` after ${after}` : ''}`,
      verdict: 'pass',
      ...(f.secondsToDetect === null ? {} : { seconds: f.secondsToDetect }),
      ...(f.replay ? { replay: f.replay } : {}),
    };
  });
  return [clean, ...faults];
}

export function benchGoalCheckName(goal: BenchGoal): string {
  return `bench ${goal.target} throughput vs ${goal.over}`;
}

export function benchChecks(bench: BenchSection): Check[] {
  const rate = new Map(bench.targets.map((t) => [t.id, t.requestsPerSecond]));
  const clean = bench.targets.map((t): Check => ({
    name: `bench ${t.id} measured cleanly`,
    source: 'bench',
    expected: 'no errors, non-2xx or lost sessions',
    actual: t.problems.length === 0 ? 'clean' : t.problems.join('; '),
    verdict: t.problems.length === 0 ? 'pass' : 'fail',
    ...(t.problems.length === 0
      ? {}
      : { message: `the figures of ${t.id} do not measure the intended workload: ${t.problems.join('; ')}` }),
  }));
  const goals = bench.goals.map((g): Check => {
    const over = rate.get(g.over) ?? 0;
    const value = over > 0 ? (rate.get(g.target) ?? 0) / over : null;
    const passed = value !== null && value >= g.minimumRatio;
    const expected = `>= ${g.minimumRatio.toFixed(2)}x`;
    return {
      name: benchGoalCheckName(g),
      source: 'bench',
      expected,
      actual: value === null ? 'n/a' : `${value.toFixed(2)}x`,
      verdict: passed ? 'pass' : 'fail',
      ...(passed
        ? {}
        : {
            message: `${g.target} reached ${value === null ? 'n/a' : `${value.toFixed(2)}x`} of ${g.over}'s throughput, expected ${expected}`,
          }),
    };
  });
  return [...clean, ...goals];
}
