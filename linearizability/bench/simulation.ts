import { OperationHistory, type Operation } from '../history.ts';

/**
 * What becomes of a planned operation: answered ok, refused without effect, or left without an answer after it
 * took effect or before it could.
 */
export type Fate = 'ok' | 'fail' | 'info-applied' | 'info-lost';

export interface PlannedOperation<I> {
  input: I;
  fate: Fate;
}

export interface Plan<I> {
  /** Per process, the operations it runs one after another. */
  programs: PlannedOperation<I>[][];
  /**
   * The interleaving: each entry advances one still-running process (the entry modulo their number) by one step:
   * invoke, take effect, answer. Once it runs out, the processes finish in turn.
   */
  schedule: number[];
}

/**
 * Runs a plan against an atomic object and records it: every operation takes effect at one instant between its
 * invoke and its answer, so the history is linearizable by construction, whatever the interleaving.
 */
export function runPlan<I, O>(plan: Plan<I>, apply: (input: I) => O): Operation<I, O>[] {
  let now = 0;
  const history = new OperationHistory<I, O>(() => now++);
  const lanes = plan.programs.map((program, index) => ({
    name: `p${index}`,
    program,
    next: 0,
    phase: 'idle' as 'idle' | 'invoked' | 'done-effect',
    pending: undefined as ReturnType<OperationHistory<I, O>['invoke']> | undefined,
    output: undefined as O | undefined,
  }));
  let cursor = 0;
  for (;;) {
    const running = lanes.filter((lane) => lane.next < lane.program.length);
    if (running.length === 0) break;
    const pick = cursor < plan.schedule.length ? (plan.schedule[cursor] as number) : 0;
    cursor++;
    const lane = running[pick % running.length] as (typeof running)[number];
    const planned = lane.program[lane.next] as PlannedOperation<I>;
    if (lane.phase === 'idle') {
      lane.pending = history.invoke(lane.name, planned.input);
      lane.phase = 'invoked';
    } else if (lane.phase === 'invoked') {
      lane.output = planned.fate === 'ok' || planned.fate === 'info-applied' ? apply(planned.input) : undefined;
      lane.phase = 'done-effect';
    } else {
      const pending = lane.pending as NonNullable<typeof lane.pending>;
      if (planned.fate === 'ok') pending.ok(lane.output as O);
      else if (planned.fate === 'fail') pending.fail();
      else pending.info();
      lane.next++;
      lane.phase = 'idle';
    }
  }
  return history.operations();
}

/** mulberry32: a small seeded generator, so a benchmark's histories are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomPlanOptions<I> {
  processes: number;
  operations: number;
  input: (random: () => number) => I;
  /** Share of operations left without an answer (half of them took effect). */
  infoRate: number;
  /** Share of operations refused without effect. */
  failRate: number;
}

export function randomPlan<I>(random: () => number, options: RandomPlanOptions<I>): Plan<I> {
  const programs: PlannedOperation<I>[][] = Array.from({ length: options.processes }, () => []);
  for (let i = 0; i < options.operations; i++) {
    const roll = random();
    const fate: Fate =
      roll < options.infoRate
        ? random() < 0.5
          ? 'info-applied'
          : 'info-lost'
        : roll < options.infoRate + options.failRate
          ? 'fail'
          : 'ok';
    (programs[Math.floor(random() * options.processes)] as PlannedOperation<I>[]).push({
      input: options.input(random),
      fate,
    });
  }
  const schedule = Array.from({ length: options.operations * 3 }, () => Math.floor(random() * options.processes));
  return { programs, schedule };
}
