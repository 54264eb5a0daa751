import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchGoalCheckName, formatExpectation, meets } from './checks.ts';
import { describeLoad, describeRun, fmt, median, tally } from './format.ts';
import { benchRatios, peerRatio, ratio, scenarioKey } from './ratios.ts';
import type { RunSummary } from './schema.ts';

/** A table cell: pipes and line breaks would break the row. */
const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (value: string) => (value ? `\`${value.replace(/`/g, "'")}\`` : '');

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.map(cell).join(' | ')} |`).join('\n');
}

const mark = { pass: '✅ pass', fail: '❌ FAIL', skip: '➖ skip', 'not-applicable': '➖ n/a' } as const;

function headline(s: RunSummary): string[] {
  const t = tally(s.checks);
  const verdict = s.verdict === 'pass' ? '✅ PASS' : '❌ FAIL';
  const lines = [
    `## sessionproof: ${verdict}`,
    '',
    `**${t.passed} of ${t.total} checks passed**${t.failed ? `, **${t.failed} failed**` : ''}${t.skipped ? `, ${t.skipped} skipped` : ''}. ` +
      `Run \`${s.run.id}\`: ${describeRun(s)}.`,
  ];
  const failed = s.checks.filter((c) => c.verdict === 'fail');
  if (failed.length > 0) {
    lines.push(
      '',
      '### Failed checks',
      '',
      table(
        ['check', 'expected', 'actual', 'replay'],
        failed.map((c) => [c.name, c.expected, c.actual, code(c.replay ?? '')]),
      ),
    );
  }
  return lines;
}

function properties(s: RunSummary): string[] {
  if (!s.properties?.length) return [];
  const rows = s.properties.map((p) => [
    p.name,
    mark[p.verdict],
    String(p.runs),
    fmt.seconds(p.seconds),
    fmt.rate(p.runsPerSecond),
    String(p.seed),
    p.verdict === 'fail' ? code(p.replay ?? '') : (p.reason ?? ''),
  ]);
  const lines = [
    '',
    '### Properties',
    '',
    table(['property', 'verdict', 'runs', 's', 'runs/s', 'seed', 'replay / note'], rows),
  ];
  for (const p of s.properties.filter((x) => x.counterexample)) {
    const c = p.counterexample!;
    lines.push(
      '',
      `<details><summary>Counterexample: ${p.name}</summary>`,
      '',
      `${c.error}`,
      '',
      ...(c.timeline ? [c.timeline.markdown, ''] : []),
      '```',
      c.commands,
      ...c.history,
      '```',
      '',
      '</details>',
    );
  }
  return lines;
}

function scenarios(s: RunSummary): string[] {
  if (!s.scenarios?.length) return [];
  const calibration = s.calibration;
  const rows = s.scenarios.map((x) => {
    const l = x.latencyMs.uncorrected;
    const corrected = x.latencyMs.corrected;
    return [
      x.scenario,
      x.store,
      describeLoad(x.load),
      fmt.seconds(x.durationSeconds),
      fmt.rate(x.requestsPerSecond),
      calibration ? fmt.ratio(ratio(x.requestsPerSecond, calibration.requestsPerSecond)) : 'n/a',
      fmt.ms(l.p50),
      fmt.ms(l.p99),
      fmt.ms(l.p999),
      fmt.ms(l.max),
      corrected ? fmt.ms(corrected.p99) : 'same',
    ];
  });
  const lines = [
    '',
    '### Load scenarios',
    '',
    table(
      [
        'scenario',
        'store',
        'load',
        's',
        'req/s',
        'x calibration',
        'p50 ms',
        'p99 ms',
        'p99.9 ms',
        'max ms',
        'p99 corrected ms',
      ],
      rows,
    ),
  ];
  const counters = s.scenarios.flatMap((x) =>
    x.counters.map((c) => [
      scenarioKey(x),
      c.name,
      String(c.value),
      c.expect ? formatExpectation(c.expect) : '',
      c.expect ? mark[meets(c.value, c.expect) ? 'pass' : 'fail'] : '',
      c.meaning ?? '',
    ]),
  );
  if (counters.length > 0) {
    lines.push('', table(['scenario', 'counter', 'value', 'expected', 'verdict', 'a failure means'], counters));
  }
  const phases = s.scenarios.flatMap((x) => {
    const first = x.phases[0];
    return x.phases.map((p) => [
      scenarioKey(x),
      p.name,
      `${fmt.seconds(p.startSecond)}–${fmt.seconds(p.endSecond)}`,
      fmt.rate(p.requestsPerSecond),
      first && p !== first ? fmt.ratio(ratio(p.requestsPerSecond, first.requestsPerSecond)) : '',
      fmt.ms(p.latencyMs.p99),
      first && p !== first ? fmt.ratio(ratio(p.latencyMs.p99, first.latencyMs.p99)) : '',
    ]);
  });
  if (phases.length > 0)
    lines.push(
      '',
      table(['scenario', 'phase', 'seconds', 'req/s', 'req/s vs first', 'p99 ms', 'p99 vs first'], phases),
    );
  const figures = s.scenarios.flatMap((x) => x.figures.map((f) => [scenarioKey(x), f.name, fmt.figureOf(f)]));
  if (figures.length > 0) lines.push('', table(['scenario', 'figure', 'value'], figures));
  return lines;
}

function zoo(s: RunSummary): string[] {
  if (!s.zoo) return [];
  const z = s.zoo;
  const detected = z.faults.filter((f) => f.detected);
  const med = median(detected.flatMap((f) => (f.secondsToDetect === null ? [] : [f.secondsToDetect])));
  const rows = z.faults.map((f) => [
    f.fault,
    f.detected ? '✅ detected' : '❌ MISSED',
    f.firstFailure ? `${f.firstFailure.kind} ${f.firstFailure.name}` : '',
    f.runsToDetect === null ? '' : String(f.runsToDetect),
    f.secondsToDetect === null ? '' : fmt.seconds(f.secondsToDetect),
    code(f.replay ?? ''),
  ]);
  return [
    '',
    `### Fault zoo (${z.store})`,
    '',
    `Clean server: ${z.clean.passed ? '✅ passes everything' : `❌ failed ${z.clean.failures.join(', ')}`}. ` +
      `${detected.length} of ${z.faults.length} faults detected` +
      `${med === null ? '' : `, median ${fmt.seconds(med)} s to detect`}.`,
    '',
    table(['fault', 'detected', 'first failure', 'runs', 's', 'replay'], rows),
  ];
}

function bench(s: RunSummary): string[] {
  if (!s.bench) return [];
  const b = s.bench;
  const all = benchRatios(b);
  const ratios = new Map(all.map((r) => [r.name, r.value]));
  const rows = b.targets.map((t) => {
    const peer = peerRatio(b, all, t);
    return [
      t.id,
      t.role,
      fmt.rate(t.requestsPerSecond),
      fmt.ms(t.latencyMs.p50),
      fmt.ms(t.latencyMs.p99),
      t.serverCpuMicrosPerRequest === undefined ? '' : fmt.rate(t.serverCpuMicrosPerRequest),
      t.id === b.calibration ? '1.00x' : fmt.ratio(ratios.get(`bench ${t.id} throughput / calibration`) ?? null),
      peer ? fmt.ratio(peer.value) : '',
      peer?.peer ?? '',
      t.problems.join('; '),
    ];
  });
  const lines = [
    '',
    '### Bench',
    '',
    table(
      ['target', 'role', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', `x ${b.calibration}`, 'x peer', 'peer', 'problems'],
      rows,
    ),
    '',
    `${b.durationSeconds} s per target in ${b.rounds} interleaved rounds after ${b.warmupSeconds} s warm-up, ${b.connections} connections.`,
  ];
  const goalNames = new Set(b.goals.map(benchGoalCheckName));
  const goals = s.checks.filter((c) => goalNames.has(c.name));
  if (goals.length > 0)
    lines.push(
      '',
      table(
        ['goal', 'expected', 'actual', 'verdict'],
        goals.map((c) => [c.name, c.expected, c.actual, mark[c.verdict]]),
      ),
    );
  return lines;
}

/** The run as Markdown to paste in a pull request: verdict first, then one table per section the run has. */
export function renderMarkdown(summary: RunSummary): string {
  return `${[...headline(summary), ...properties(summary), ...scenarios(summary), ...zoo(summary), ...bench(summary)].join('\n')}\n`;
}

export async function writeMarkdown(summary: RunSummary, dir: string): Promise<string> {
  const file = join(dir, 'summary.md');
  await writeFile(file, renderMarkdown(summary));
  return file;
}
