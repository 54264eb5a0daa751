import { cpus, loadavg } from 'node:os';
import { LoadTally, runLoad, type LoadFigures, type LoadRunOptions } from '../load/autocannon-run.ts';
import { startChildServer, type ChildServer } from '../load/child-server.ts';
import {
  defaultGoals,
  defaultTargets,
  type BenchGoal,
  type BenchTarget,
  type PreparedClients,
  type ServerSpec,
  type TargetRole,
} from './targets.ts';

export interface BenchOptions {
  /** Measured seconds per target, split evenly over the rounds. */
  durationSeconds: number;
  connections: number;
  /** Load before measuring, per target, discarded: JIT warm-up, first allocations, connection setup. */
  warmupSeconds: number;
  /** Measurement slices per target, interleaved with the other targets'. */
  rounds: number;
  targets?: BenchTarget[];
  goals?: BenchGoal[];
  /** Extra node flags for a server's child process (e.g. `--cpu-prof`). */
  nodeArgsFor?: (server: ServerSpec) => string[];
  progress?: (line: string) => void;
}

export interface TargetResult {
  id: string;
  label: string;
  role: TargetRole;
  /** Id of the peer library target on the same store this one is compared with; null for the peers themselves. */
  peer: string | null;
  figures: LoadFigures;
  /**
   * CPU time the server process spent per completed request (microseconds). Less sensitive to other load on the
   * machine than requests per second, so it shows where a change made the server cheaper even in a noisy run.
   */
  serverCpuMicrosPerRequest: number;
  /** Requests per second over each baseline's, from the same run; null where the baseline completed nothing. */
  ratios: Record<string, number | null>;
  /** What makes this figure untrustworthy: error responses, connection errors, clients that lost their session. */
  problems: string[];
}

export interface GoalVerdict extends BenchGoal {
  /** Requests per second over the baseline's: what the goal is judged on. */
  ratio: number | null;
  met: boolean;
  /**
   * The baseline's server CPU per request over the target's: the same comparison by cost instead of speed, which
   * holds steadier than throughput when other work competes for the machine.
   */
  cpuRatio: number | null;
}

export interface BenchReport {
  schema: 'sessionproof.bench/1';
  startedAt: string;
  options: { durationSeconds: number; connections: number; warmupSeconds: number; rounds: number };
  machine: { cpus: number; node: string; loadAverage1m: number };
  /** The targets other figures are divided by: the calibration and the baselines. */
  baselines: string[];
  results: TargetResult[];
  goals: GoalVerdict[];
  /** False when any target had a problem: its figures are not a measurement of the intended workload. */
  ok: boolean;
}

interface Running {
  target: BenchTarget;
  child: ChildServer;
  clients: PreparedClients;
  load: Omit<LoadRunOptions, 'durationSeconds'>;
  tally: LoadTally;
  serverCpuMicros: number;
}

/**
 * Runs every target in one process. Each server runs in its own child process; each target gets one client per
 * connection, established over HTTP, and a warm-up. The measurement is then taken in rounds, every round giving
 * each target one slice in a rotating order, so a burst of load from elsewhere on the machine spreads over all
 * targets instead of landing on one. Ratios compare figures from this run only.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const targets = options.targets ?? defaultTargets;
  const progress = options.progress ?? (() => {});
  const startedAt = new Date().toISOString();
  const machine = { cpus: cpus().length, node: process.version, loadAverage1m: loadavg()[0] ?? 0 };
  const children = new Map<string, ChildServer>();
  const running: Running[] = [];
  try {
    for (const target of targets) {
      const { server } = target;
      let child = children.get(server.id);
      if (!child) {
        progress(`starting ${server.id}`);
        child = await startChildServer({
          module: server.module,
          args: server.args,
          nodeArgs: options.nodeArgsFor?.(server),
        });
        children.set(server.id, child);
      }
      running.push(await prepareTarget(target, child, options, progress));
    }
    for (const { clients } of running) await clients.beforeMeasuring?.();
    const slice = options.durationSeconds / options.rounds;
    for (let round = 0; round < options.rounds; round++) {
      progress(`round ${round + 1}/${options.rounds}: ${slice} s per target`);
      for (let k = 0; k < running.length; k++) {
        const current = running[(round + k) % running.length]!;
        const cpuBefore = await current.child.cpuUsage();
        await runLoad({ ...current.load, durationSeconds: slice }, current.tally);
        current.serverCpuMicros += (await current.child.cpuUsage()) - cpuBefore;
      }
    }
    const measured = [];
    for (const { target, clients, tally, serverCpuMicros } of running) {
      const figures = tally.figures();
      const problems = problemsOf(figures);
      const lost = await clients.check();
      if (lost) problems.push(lost);
      const serverCpuMicrosPerRequest =
        figures.requests > 0 ? Math.round((serverCpuMicros / figures.requests) * 10) / 10 : 0;
      measured.push({
        id: target.id,
        label: target.label,
        role: target.role,
        peer: target.peer ?? null,
        figures,
        serverCpuMicrosPerRequest,
        problems,
      });
    }
    return report(measured, targets, options, startedAt, machine);
  } finally {
    for (const { tally } of running) tally.destroy();
    for (const child of children.values()) await child.stop();
  }
}

async function prepareTarget(
  target: BenchTarget,
  child: ChildServer,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<Running> {
  const clients = await target.prepare(child.url, options.connections);
  const load = { url: child.url, connections: options.connections, requestsFor: (i: number) => clients.requests[i]! };
  if (options.warmupSeconds > 0) {
    progress(`${target.label}: warm-up ${options.warmupSeconds} s`);
    const warmup = new LoadTally();
    await runLoad({ ...load, durationSeconds: options.warmupSeconds }, warmup).finally(() => warmup.destroy());
  }
  return { target, child, clients, load, tally: new LoadTally(), serverCpuMicros: 0 };
}

function report(
  measured: Omit<TargetResult, 'ratios'>[],
  targets: BenchTarget[],
  options: BenchOptions,
  startedAt: string,
  machine: BenchReport['machine'],
): BenchReport {
  const baselines = targets.filter((t) => t.role === 'calibration' || t.role === 'baseline').map((t) => t.id);
  const rate = new Map(measured.map((r) => [r.id, r.figures.requestsPerSecond]));
  const results = measured.map((result) => ({
    ...result,
    ratios: Object.fromEntries(baselines.map((id) => [id, ratio(result.figures.requestsPerSecond, rate.get(id))])),
  }));
  const cpu = new Map(measured.map((r) => [r.id, r.serverCpuMicrosPerRequest]));
  const goals = (options.goals ?? defaultGoals).map((goal) => {
    const value = results.find((r) => r.id === goal.target)?.ratios[goal.baseline] ?? null;
    const [targetCpu, baselineCpu] = [cpu.get(goal.target), cpu.get(goal.baseline)];
    const cpuRatio = targetCpu && baselineCpu ? baselineCpu / targetCpu : null;
    return { ...goal, ratio: value, met: value !== null && value >= goal.minimumRatio, cpuRatio };
  });
  const { durationSeconds, connections, warmupSeconds, rounds } = options;
  return {
    schema: 'sessionproof.bench/1',
    startedAt,
    options: { durationSeconds, connections, warmupSeconds, rounds },
    machine,
    baselines,
    results,
    goals,
    ok: results.every((r) => r.problems.length === 0),
  };
}

function problemsOf(figures: LoadFigures): string[] {
  const problems: string[] = [];
  if (figures.requests === 0) problems.push('no request completed');
  if (figures.non2xx > 0) {
    const statuses = Object.entries(figures.statusCodes).filter(([status]) => !status.startsWith('2'));
    problems.push(`${figures.non2xx} non-2xx responses (${statuses.map(([s, n]) => `${s}: ${n}`).join(', ')})`);
  }
  if (figures.errors > 0) problems.push(`${figures.errors} connection errors (${figures.timeouts} timeouts)`);
  return problems;
}

function ratio(value: number, baseline: number | undefined): number | null {
  return baseline ? value / baseline : null;
}
