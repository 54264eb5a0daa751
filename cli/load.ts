import { isAbsolute, relative } from 'node:path';
import { definitions, scenarioNames, type ScenarioName } from '../scenarios/definitions/index.ts';
import { isScenarioName, runScenario } from '../scenarios/run.ts';
import { stormDefaults } from '../scenarios/runners/refresh-storm.ts';
import { TargetRefused } from '../scenarios/servers.ts';
import { ScenarioNotApplicable } from '../scenarios/scenario.ts';
import { loadAdapter } from '../adapters/load.ts';
import { readAccounts } from '../properties/targets.ts';
import { declaredBy, declaredLine } from '../properties/report.ts';
import { formatScenario } from '../scenarios/table.ts';
import { buildSummary, currentGit, currentMachine, newRunId } from '../reports/summary.ts';
import { writeReport } from '../reports/write-report.ts';
import { resolveConfig } from '../server/config.ts';
import { formatCpuList, pinGenerator, PinningRefused, type CpuPinning } from '../scenarios/load/cpu-pinning.ts';
import { faultOption, integerOption, parseCommand, UsageError } from './args.ts';

/** The options only one scenario takes, shown under its summary. */
const scenarioOptions: Record<ScenarioName, string> = {
  'refresh-storm':
    '[--parallel K] [--client-kind naive|single-flight] [--recovery-deadline S]\n' +
    `${' '.repeat(22)}[--connections C] [--pipelining P]`,
  'cleanup-under-load': '[--sessions M | --large] [--expired-share F] [--compare-budgets P,P,... | PxN]',
  'cart-contention': '[--carts C]',
  'session-churn': '',
};

const scenarioLines = scenarioNames.flatMap((name) => [
  `  ${name.padEnd(20)}${definitions[name].summary}`,
  ...(scenarioOptions[name] ? [`${' '.repeat(22)}${scenarioOptions[name]}`] : []),
]);

const usage = `sessionproof load <${scenarioNames.join('|')}>
                  [--target URL [--adapter FILE] [--accounts FILE] | --store memory|URL] [--fault ID]...
                  [--clients N] [--duration S] [--rate R] [--out DIR]
${scenarioLines.join('\n')}

Runs one load scenario and checks its correctness counters. Without --target it starts the reference server in a
child process (test controls on) on --store (memory, redis://..., postgres://...; a Redis run gets its own key
prefix and a PostgreSQL run its own schema, both removed afterwards) with the given --fault(s).
  --target URL     a server already running on this machine (http://127.0.0.1:PORT or http://[::1]:PORT);
                   nothing else is accepted. refresh-storm and cleanup-under-load need contract v1's test controls
  --adapter FILE   how to reach a --target that does not speak contract v1 (docs/adapters.md): cart-contention
                   and session-churn run through it
  --accounts FILE  JSON list of {"email", "password"} for a target with neither a register operation nor the
                   users control (session-churn; cart-contention where the app has no guest carts)
  --clients N      clients (refresh-storm, cleanup-under-load) or connections (cart-contention, session-churn)
  --duration S     seconds of load (cleanup-under-load: seconds before the sweep; it then runs until the sweep
                   is done and half a second more)
  --rate R         requests per second over all connections: the open model (default: closed, except session-churn;
                   refresh-storm is always closed: its clients wait for their answers)
cleanup-under-load: after the server's own sweep budget, --compare-budgets (default 25,100) each sweep a fifth of
the expired sessions in a phase of their own (past four budgets the groups share four fifths), for the budget /
sweep rate / live throughput table; 5x8 repeats a budget eight times and adds its medians; "" compares none.
refresh-storm: N virtual clients (their tokens) with K requests in flight each share C keep-alive connections
(default ${stormDefaults.connections}), each carrying P requests at once (default ${stormDefaults.pipelining}). The storm ends when every client is back to 200
or signed out, or after --recovery-deadline seconds ("90" or "90s"; default 60, or 10 ms per request in flight
where that is longer: 400 s at 10,000 x 4).
  --pin-cpus       keep the reference server on the last CPU and this load generator on the others (Linux, taskset),
                   so the two never trade cores mid-run: steadier ratios on a small machine
  --out DIR        the report folder (default reports/out/<run id>/)
Exit status: 0 when every correctness check passed, 1 when one failed, 2 on bad usage.`;

export async function load(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      target: { type: 'string' },
      adapter: { type: 'string' },
      accounts: { type: 'string' },
      store: { type: 'string' },
      fault: { type: 'string', multiple: true, default: [] },
      clients: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      out: { type: 'string' },
      parallel: { type: 'string' },
      'client-kind': { type: 'string' },
      'recovery-deadline': { type: 'string' },
      connections: { type: 'string' },
      pipelining: { type: 'string' },
      sessions: { type: 'string' },
      large: { type: 'boolean', default: false },
      'expired-share': { type: 'string' },
      'compare-budgets': { type: 'string' },
      carts: { type: 'string' },
      'pin-cpus': { type: 'boolean', default: false },
    },
    usage,
  );
  const [scenario, ...extra] = positionals;
  if (scenario === undefined || !isScenarioName(scenario) || extra.length > 0) {
    throw new UsageError(
      `${scenario === undefined ? 'name a scenario' : `unknown scenario "${[scenario, ...extra].join(' ')}"`}\n\n${usage}`,
    );
  }
  if (values.target !== undefined && (values.store !== undefined || values.fault.length > 0)) {
    throw new UsageError('--target runs against your server: --store and --fault apply only to the reference server');
  }
  if (values.target !== undefined && values['pin-cpus'])
    throw new UsageError(
      '--pin-cpus pins the reference server it starts; for your own server, start it with taskset -c and run sessionproof under taskset -c on the other CPUs',
    );
  if (values.target === undefined && (values.adapter !== undefined || values.accounts !== undefined))
    throw new UsageError('--adapter and --accounts go with --target (the reference server speaks contract v1)');
  faultOption(values.fault);
  const clientKind = values['client-kind'];
  if (clientKind !== undefined && clientKind !== 'naive' && clientKind !== 'single-flight') {
    throw new UsageError('--client-kind must be naive or single-flight');
  }
  const deadline = values['recovery-deadline'];
  const recoveryDeadlineSeconds = deadline === undefined ? undefined : Number(deadline.replace(/s$/, ''));
  if (recoveryDeadlineSeconds !== undefined && !(recoveryDeadlineSeconds > 0 && recoveryDeadlineSeconds <= 3600))
    throw new UsageError('--recovery-deadline must be seconds from 0 to 3600 (e.g. 60 or 60s)');
  if (scenario === 'refresh-storm' && values.rate !== undefined)
    throw new UsageError('refresh-storm runs closed-loop clients that wait for their answers: --rate does not apply');
  const expiredShare = values['expired-share'] === undefined ? undefined : Number(values['expired-share']);
  if (expiredShare !== undefined && !(expiredShare >= 0 && expiredShare <= 1))
    throw new UsageError('--expired-share must be a fraction from 0 to 1');
  const compareBudgets = compareBudgetsOption(values['compare-budgets']);
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0 && duration <= 3600))
    throw new UsageError('--duration must be seconds from 0 to 3600');

  // the reference server refuses NODE_ENV=production without real secrets: say so before starting anything
  if (values.target === undefined) resolveConfig();

  const adapter = values.adapter ? await loadAdapter(values.adapter) : undefined;
  const accounts = values.accounts ? await readAccounts(values.accounts) : undefined;
  if (adapter) process.stderr.write(`${declaredLine(adapter)}\n`);

  const pinning = values['pin-cpus'] ? pinOrRefuse() : undefined;
  if (pinning) {
    process.stderr.write(
      `pinned: the server to CPU ${formatCpuList(pinning.server)}, this load generator to CPU ${formatCpuList(pinning.generator)}\n`,
    );
  }

  const store = values.store ?? 'memory';
  const startedAt = new Date();
  const runId = newRunId(`load-${scenario}-${values.target ? 'external' : storeLabel(store)}`, startedAt);
  const started = performance.now();
  const progress = (line: string) =>
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${scenario}: ${line}\n`);

  let result;
  try {
    result = await runScenario({
      scenario,
      target: values.target,
      ...(adapter ? { adapter } : {}),
      ...(accounts ? { accounts } : {}),
      store,
      faults: values.fault,
      ...(pinning ? { serverCpus: pinning.server } : {}),
      load: {
        clients: values.clients === undefined ? undefined : integerOption(values.clients, 'clients', 1, 1),
        durationSeconds: duration,
        ratePerSecond: values.rate === undefined ? undefined : integerOption(values.rate, 'rate', 1, 1),
      },
      parallel: values.parallel === undefined ? undefined : integerOption(values.parallel, 'parallel', 1, 1),
      clientKind,
      recoveryDeadlineSeconds,
      connections:
        values.connections === undefined ? undefined : integerOption(values.connections, 'connections', 1, 1),
      pipelining: values.pipelining === undefined ? undefined : integerOption(values.pipelining, 'pipelining', 1, 1),
      sessions: values.sessions === undefined ? undefined : integerOption(values.sessions, 'sessions', 1, 1),
      large: values.large,
      expiredShare,
      compareBudgets,
      carts: values.carts === undefined ? undefined : integerOption(values.carts, 'carts', 1, 1),
      progress,
    });
  } catch (error) {
    if (error instanceof TargetRefused || error instanceof ScenarioNotApplicable) throw new UsageError(error.message);
    throw error;
  }

  const summary = buildSummary({
    run: {
      id: runId,
      command: ['sessionproof', 'load', ...argv].join(' '),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      git: currentGit(),
      machine: {
        ...currentMachine(),
        ...(pinning
          ? { pinning: { server: formatCpuList(pinning.server), generator: formatCpuList(pinning.generator) } }
          : {}),
      },
      target: values.target
        ? { kind: 'url', urls: [values.target], ...(adapter ? { adapter: declaredBy(adapter) } : {}) }
        : { kind: 'reference', store: result.store, faults: values.fault },
    },
    scenarios: [result],
  });
  const files = await writeReport(summary, values.out ? { dir: values.out } : {});
  process.stdout.write(`\n${formatScenario(result)}\n`);
  const failed = summary.checks.filter((check) => check.verdict === 'fail');
  for (const check of failed) process.stdout.write(`FAILED  ${check.name}: ${check.message ?? check.actual}\n`);
  process.stdout.write(
    `${failed.length === 0 ? 'PASSED' : `FAILED: ${failed.length} check(s)`}; report in ${displayPath(files.dir)}/\n`,
  );
  if (failed.length > 0) process.exitCode = 1;
}

function pinOrRefuse(): CpuPinning {
  try {
    return pinGenerator();
  } catch (error) {
    if (error instanceof PinningRefused) throw new UsageError(error.message);
    throw error;
  }
}

function storeLabel(store: string): string {
  return store === 'memory' ? 'memory' : (/^([a-z]+):/i.exec(store)?.[1] ?? 'store').replace(/ql$/, '');
}

function displayPath(dir: string): string {
  const path = relative(process.cwd(), dir);
  return path === '' ? '.' : path.startsWith('..') || isAbsolute(path) ? dir : path;
}

/**
 * `--compare-budgets 5,25,100`: percentages from 1 to 100; `5x8` is 5 eight times (its median is reported); an empty
 * list compares none.
 */
export function compareBudgetsOption(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') return [];
  const budgets: number[] = [];
  for (const part of value.split(',')) {
    const match = /^(\d+)(?:x(\d+))?$/.exec(part.trim());
    const budget = Number(match?.[1]);
    const times = match?.[2] === undefined ? 1 : Number(match[2]);
    if (!match || budget < 1 || budget > 100 || times < 1 || times > 20)
      throw new UsageError(
        '--compare-budgets must be percentages from 1 to 100, comma-separated, each repeated up to 20 times with x (e.g. 5,25,100 or 5x8)',
      );
    for (let i = 0; i < times; i++) budgets.push(budget);
  }
  return budgets;
}
