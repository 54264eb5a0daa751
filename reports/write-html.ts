import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { barChart, histogram, lineChart } from './charts.ts';
import { benchGoalCheckName, formatExpectation, meets } from './checks.ts';
import { describeLoad, describeRun, fmt, median, tally } from './format.ts';
import { benchRatios, peerRatio, ratio, scenarioKey } from './ratios.ts';
import type { RunSummary, ScenarioResult, ZooOutcome } from './schema.ts';
import { escapeXml as esc } from './write-junit.ts';

const colors = {
  p50: '#2563eb',
  p99: '#ea580c',
  rate: '#059669',
  calls: '#7c3aed',
  before: '#64748b',
  during: '#f59e0b',
  good: '#16a34a',
  bad: '#dc2626',
};

const style = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#111827;background:#f3f4f6}
main{max-width:1240px;margin:0 auto;padding:20px}
.verdict{border-radius:10px;padding:18px 24px;color:#fff;margin-bottom:16px}
.verdict.pass{background:#15803d}.verdict.fail{background:#b91c1c}
.verdict h1{margin:0;font-size:34px;letter-spacing:.5px}.verdict p{margin:6px 0 0;opacity:.95}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px;margin-bottom:16px}
.tile{background:#fff;border-radius:8px;padding:12px 16px;border-left:6px solid #9ca3af}
.tile.pass{border-color:#16a34a}.tile.fail{border-color:#dc2626}
.tile b{display:block;font-size:24px}.tile span{color:#4b5563}
section{background:#fff;border-radius:10px;padding:16px 20px;margin-bottom:16px}
h2{margin:0 0 10px;font-size:20px}h3{margin:14px 0 6px;font-size:16px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:12px}
.charts svg{background:#fafafa;border:1px solid #e5e7eb;border-radius:6px;max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}
th{background:#f9fafb;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px;background:#f3f4f6;padding:1px 4px;border-radius:3px;word-break:break-all}
.chip{display:inline-block;border-radius:10px;padding:1px 8px;margin:2px 4px 2px 0;font-size:12px;color:#fff}
.chip.pass{background:#16a34a}.chip.fail{background:#dc2626}.chip.skip,.chip.info{background:#6b7280}
.failed{border:2px solid #dc2626}
.grid th.col{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:500;font-size:12px;padding:6px 2px;vertical-align:bottom}
.grid td.cell{width:26px;height:24px;text-align:center;color:#fff;font-weight:700;padding:0;border:2px solid #fff}
.cell.detected{background:#16a34a}.cell.passed{background:#d1d5db;color:#374151}.cell.not-run,.cell.not-applicable{background:#f3f4f6;color:#9ca3af}
.cell.clean-fail{background:#dc2626}.row-missed td:first-child{color:#b91c1c;font-weight:700}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
.muted{color:#6b7280}
.timeline svg{max-width:100%;height:auto}`;

/** Counts the charts whose marks the browser laid out with a size; the browser test reads the result from the DOM. */
const selfCheck = `
const charts=[...document.querySelectorAll('svg.chart')];let drawn=0;
for(const chart of charts){const marks=[...chart.querySelectorAll('.datum')];
const ok=marks.length>0&&marks.every(m=>{const b=m.getBBox();return b.width>0||b.height>0;});
chart.dataset.rendered=ok?'yes':'no';if(ok)drawn++;}
document.body.dataset.charts=String(charts.length);document.body.dataset.chartsRendered=String(drawn);`;

const chip = (verdict: 'pass' | 'fail' | 'skip' | 'info', text: string, title?: string) =>
  `<span class="chip ${verdict}"${title ? ` title="${esc(title)}"` : ''}>${esc(text)}</span>`;
const num = (text: string) => `<td class="num">${esc(text)}</td>`;
const td = (text: string) => `<td>${esc(text)}</td>`;
const row = (cells: string[]) => `<tr>${cells.join('')}</tr>`;
const head = (cells: string[]) => `<tr>${cells.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;

function tiles(s: RunSummary): string {
  const out: string[] = [];
  const tile = (ok: boolean | null, big: string, caption: string) =>
    `<div class="tile ${ok === null ? '' : ok ? 'pass' : 'fail'}"><b>${esc(big)}</b><span>${esc(caption)}</span></div>`;
  if (s.properties?.length) {
    const applicable = s.properties.filter((p) => p.verdict !== 'not-applicable');
    const passed = applicable.filter((p) => p.verdict === 'pass').length;
    out.push(tile(passed === applicable.length, `${passed} / ${applicable.length}`, 'properties hold'));
  }
  const scenarioChecks = s.checks.filter((c) => c.source === 'scenario');
  if (scenarioChecks.length) {
    const passed = scenarioChecks.filter((c) => c.verdict === 'pass').length;
    out.push(
      tile(passed === scenarioChecks.length, `${passed} / ${scenarioChecks.length}`, 'scenario correctness checks'),
    );
  }
  if (s.zoo) {
    const detected = s.zoo.faults.filter((f) => f.detected).length;
    const med = median(s.zoo.faults.flatMap((f) => (f.secondsToDetect === null ? [] : [f.secondsToDetect])));
    out.push(
      tile(
        detected === s.zoo.faults.length && s.zoo.clean.passed,
        `${detected} / ${s.zoo.faults.length}`,
        `faults detected${med === null ? '' : `, median ${fmt.seconds(med)} s`}`,
      ),
    );
  }
  if (s.bench) {
    const subject = s.bench.targets.find((t) => t.role === 'subject');
    const value = subject
      ? (benchRatios(s.bench).find((r) => r.name === `bench ${subject.id} throughput / baseline`)?.value ?? null)
      : null;
    const goalsMet = s.checks.filter((c) => c.source === 'bench').every((c) => c.verdict !== 'fail');
    if (subject) out.push(tile(goalsMet, fmt.ratio(value), `${subject.id} throughput vs ${s.bench.baseline}`));
  }
  return out.length ? `<div class="tiles">${out.join('')}</div>` : '';
}

function verdictBanner(s: RunSummary): string {
  const t = tally(s.checks);
  const failed = s.checks.filter((c) => c.verdict === 'fail');
  const list = failed.length
    ? `<section class="failed"><h2>Failed checks</h2><table>${head(['check', 'expected', 'actual', 'replay'])}${failed
        .map((c) =>
          row([
            td(c.name),
            td(c.expected),
            td(c.actual),
            `<td>${c.replay ? `<code>${esc(c.replay)}</code>` : ''}</td>`,
          ]),
        )
        .join('')}</table></section>`
    : '';
  return (
    `<header class="verdict ${s.verdict}"><h1>${s.verdict === 'pass' ? 'PASS' : 'FAIL'}: ${t.passed} of ${t.total} checks passed` +
    `${t.failed ? `, ${t.failed} failed` : ''}${t.skipped ? `, ${t.skipped} skipped` : ''}</h1>` +
    `<p>sessionproof run <b>${esc(s.run.id)}</b>: ${esc(describeRun(s))}</p></header>${tiles(s)}${list}`
  );
}

/** A non-linearizable history's timeline: the SVG is self-contained (no ids, no external CSS), safe to inline. */
function timelineFigure(timeline: { svg: string } | undefined): string {
  return timeline
    ? `<details open><summary>timeline (red: admits no order)</summary><div class="timeline">${timeline.svg}</div></details>`
    : '';
}

function properties(s: RunSummary): string {
  if (!s.properties?.length) return '';
  const rows = s.properties.map((p) =>
    row([
      td(p.name),
      `<td>${chip(p.verdict === 'pass' ? 'pass' : p.verdict === 'fail' ? 'fail' : 'skip', p.verdict)}</td>`,
      num(String(p.runs)),
      num(fmt.seconds(p.seconds)),
      num(fmt.rate(p.runsPerSecond)),
      num(String(p.seed)),
      `<td>${p.replay ? `<code>${esc(p.replay)}</code>` : esc(p.reason ?? '')}${p.counterexample ? `<br>${esc(p.counterexample.error)}` : ''}${timelineFigure(p.counterexample?.timeline)}</td>`,
    ]),
  );
  return `<section><h2>Properties</h2><table>${head(['property', 'verdict', 'runs', 's', 'runs/s', 'seed', 'replay / note'])}${rows.join('')}</table></section>`;
}

function bands(x: ScenarioResult) {
  return x.phases.slice(1).map((p) => ({ from: p.startSecond, to: p.endSecond, label: p.name }));
}

function scenarioCard(s: RunSummary, x: ScenarioResult): string {
  const l = x.latencyMs.uncorrected;
  const c = x.latencyMs.corrected;
  const counters = x.counters
    .map((k) =>
      k.expect
        ? chip(
            meets(k.value, k.expect) ? 'pass' : 'fail',
            `${k.name} ${k.value} (${formatExpectation(k.expect)})`,
            k.meaning && `a failure means ${k.meaning}`,
          )
        : chip('info', `${k.name} ${k.value}`),
    )
    .join('');
  const figures = x.figures.map((f) => `${esc(f.name)} <b>${esc(fmt.figureOf(f))}</b>`).join(' · ');
  const memory = x.memory
    ? ` · RSS ${fmt.bytes(x.memory.before.rssBytes)} → ${fmt.bytes(x.memory.after.rssBytes)}`
    : '';
  const vsCalibration = s.calibration
    ? ` (${fmt.ratio(ratio(x.requestsPerSecond, s.calibration.requestsPerSecond))} calibration)`
    : '';
  const charts = [
    lineChart({
      kind: 'latency-over-time',
      title: `${scenarioKey(x)}: latency percentiles over time`,
      xLabel: 'second of run',
      yLabel: 'ms',
      series: [
        { name: 'p50', color: colors.p50, points: x.timeSeries.map((p) => [p.second, p.p50Ms]) },
        { name: 'p99', color: colors.p99, points: x.timeSeries.map((p) => [p.second, p.p99Ms]) },
      ],
      bands: bands(x),
    }),
    lineChart({
      kind: 'throughput-over-time',
      title: `${scenarioKey(x)}: throughput`,
      xLabel: 'second of run',
      yLabel: 'requests/s',
      series: [{ name: 'req/s', color: colors.rate, points: x.timeSeries.map((p) => [p.second, p.requestsPerSecond]) }],
      bands: bands(x),
    }),
    ...x.distributions.map((d) =>
      histogram({
        kind: 'distribution',
        title: `${scenarioKey(x)}: ${d.name}`,
        xLabel: d.name,
        yLabel: `${d.of}s`,
        buckets: d.buckets,
        color: colors.calls,
      }),
    ),
  ];
  return (
    `<h3>${esc(x.scenario)} · ${esc(x.store)} · ${esc(describeLoad(x.load))} · ${esc(fmt.seconds(x.durationSeconds))} s</h3>` +
    `<p><b>${esc(fmt.rate(x.requestsPerSecond))} req/s</b>${esc(vsCalibration)} · p50 ${esc(fmt.ms(l.p50))} ms · p99 ${esc(fmt.ms(l.p99))} ms · ` +
    `p99.9 ${esc(fmt.ms(l.p999))} ms · max ${esc(fmt.ms(l.max))} ms${c ? ` · corrected p99 ${esc(fmt.ms(c.p99))} ms` : ''}${esc(memory)}</p>` +
    `<p>${counters}</p>${figures ? `<p>${figures}</p>` : ''}<div class="charts">${charts.join('')}</div>`
  );
}

function scenarios(s: RunSummary): string {
  if (!s.scenarios?.length) return '';
  const phased = s.scenarios.filter((x) => x.phases.length > 1);
  const phaseLabel = (x: ScenarioResult, phase: string) => (phased.length === 1 ? phase : `${scenarioKey(x)} ${phase}`);
  const of = phased.length === 1 ? ` (${scenarioKey(phased[0]!)})` : '';
  const phaseCharts = phased.length
    ? `<h3>Throughput and p99 by phase${esc(of)}</h3><div class="charts">${barChart({
        kind: 'phases',
        title: 'Live throughput by phase',
        unit: ' req/s',
        bars: phased.flatMap((x) =>
          x.phases.map((p, i) => ({
            label: phaseLabel(x, p.name),
            value: p.requestsPerSecond,
            color: i === 0 ? colors.before : colors.during,
            note: `${fmt.rate(p.requestsPerSecond)} req/s${i === 0 ? '' : ` (${fmt.ratio(ratio(p.requestsPerSecond, x.phases[0]!.requestsPerSecond))})`}`,
          })),
        ),
      })}${barChart({
        kind: 'phases-p99',
        title: 'p99 latency by phase',
        unit: ' ms',
        bars: phased.flatMap((x) =>
          x.phases.map((p, i) => ({
            label: phaseLabel(x, p.name),
            value: p.latencyMs.p99,
            color: i === 0 ? colors.before : colors.during,
            note: `${fmt.ms(p.latencyMs.p99)} ms`,
          })),
        ),
      })}</div>`
    : '';
  return `<section><h2>Load scenarios</h2>${phaseCharts}${s.scenarios.map((x) => scenarioCard(s, x)).join('')}</section>`;
}

const symbol: Record<ZooOutcome, string> = { detected: '✔', passed: '·', 'not-run': '', 'not-applicable': '–' };

function zoo(s: RunSummary): string {
  if (!s.zoo) return '';
  const z = s.zoo;
  const cells = (outcomes: Record<string, ZooOutcome>, clean: boolean) =>
    z.columns
      .map((col) => {
        const o = outcomes[col] ?? 'not-run';
        const cls = clean && o === 'detected' ? 'clean-fail' : o;
        return `<td class="cell ${cls}" title="${esc(`${col}: ${clean && o === 'detected' ? 'FAILED on the clean server' : o}`)}">${clean && o === 'detected' ? '✖' : symbol[o]}</td>`;
      })
      .join('');
  const header = `<tr><th>fault</th><th>detected</th><th class="num">runs</th><th class="num">s</th>${z.columns.map((c) => `<th class="col">${esc(c)}</th>`).join('')}</tr>`;
  const cleanRow = `<tr><td><b>clean server</b></td><td>${chip(z.clean.passed ? 'pass' : 'fail', z.clean.passed ? 'all pass' : 'FAILS')}</td><td></td><td></td>${cells(z.clean.outcomes, true)}</tr>`;
  const rows = z.faults.map(
    (f) =>
      `<tr class="${f.detected ? '' : 'row-missed'}" title="${esc(f.description)}"><td>${esc(f.fault)}</td><td>${chip(f.detected ? 'pass' : 'fail', f.detected ? 'detected' : 'MISSED')}</td>` +
      `${num(f.runsToDetect === null ? '' : String(f.runsToDetect))}${num(f.secondsToDetect === null ? '' : fmt.seconds(f.secondsToDetect))}${cells(f.outcomes, false)}</tr>`,
  );
  const legend =
    `<p class="legend"><span><i style="background:#16a34a"></i>check failed: fault detected</span><span><i style="background:#d1d5db"></i>check passed</span>` +
    `<span><i style="background:#dc2626"></i>check failed on the clean server</span><span><i style="background:#f3f4f6;border:1px solid #d1d5db"></i>not run / not applicable</span></p>`;
  const firsts = z.faults
    .filter((f) => f.firstFailure || f.replay)
    .map((f) =>
      row([
        td(f.fault),
        td(f.firstFailure ? `${f.firstFailure.kind} ${f.firstFailure.name}` : ''),
        `<td>${f.replay ? `<code>${esc(f.replay)}</code>` : ''}</td>`,
      ]),
    );
  return (
    `<section><h2>Fault zoo (${esc(z.store)})</h2>${legend}<table class="grid">${header}${cleanRow}${rows.join('')}</table>` +
    `${firsts.length ? `<details><summary>First failure and replay command per fault</summary><table>${head(['fault', 'first failure', 'replay'])}${firsts.join('')}</table></details>` : ''}</section>`
  );
}

function bench(s: RunSummary): string {
  if (!s.bench) return '';
  const b = s.bench;
  const ratios = benchRatios(b);
  const toCalibration = (id: string) =>
    id === b.calibration ? 1 : (ratios.find((r) => r.name === `bench ${id} throughput / calibration`)?.value ?? 0);
  const goalMarkers = b.goals
    .filter((g) => g.over === b.calibration)
    .map((g) => ({ value: g.minimumRatio, label: `goal ${g.target} ${g.minimumRatio}x` }));
  const chart = barChart({
    kind: 'bench-ratios',
    title: `Throughput relative to ${b.calibration} (same run)`,
    bars: b.targets.map((t) => ({
      label: t.label || t.id,
      value: toCalibration(t.id),
      color: t.problems.length
        ? colors.bad
        : t.role === 'calibration'
          ? colors.before
          : t.role === 'baseline'
            ? colors.during
            : colors.rate,
      note: `${fmt.ratio(toCalibration(t.id))} · ${fmt.rate(t.requestsPerSecond)} req/s`,
    })),
    markers: [{ value: 1, label: '1.0x' }, ...goalMarkers],
  });
  const rows = b.targets.map((t) => {
    const peer = peerRatio(b, ratios, t);
    return row([
      td(t.id),
      td(t.role),
      num(fmt.rate(t.requestsPerSecond)),
      num(fmt.ms(t.latencyMs.p50)),
      num(fmt.ms(t.latencyMs.p99)),
      num(t.serverCpuMicrosPerRequest === undefined ? '' : fmt.rate(t.serverCpuMicrosPerRequest)),
      num(fmt.ratio(toCalibration(t.id))),
      num(peer ? fmt.ratio(peer.value) : ''),
      td(peer?.peer ?? ''),
      td(t.problems.join('; ')),
    ]);
  });
  const goalNames = new Set(b.goals.map(benchGoalCheckName));
  const goals = s.checks
    .filter((c) => goalNames.has(c.name))
    .map((c) => chip(c.verdict === 'fail' ? 'fail' : 'pass', `${c.name}: ${c.actual} (${c.expected})`))
    .join('');
  return (
    `<section><h2>Bench</h2><p class="muted">${b.durationSeconds} s per target in ${b.rounds} interleaved rounds after ${b.warmupSeconds} s warm-up, ${b.connections} connections.</p>` +
    `<div class="charts">${chart}</div><table>${head(['target', 'role', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', `x ${b.calibration}`, 'x peer', 'peer', 'problems'])}${rows.join('')}</table><p>${goals}</p></section>`
  );
}

function allChecks(s: RunSummary): string {
  const rows = s.checks.map((c) =>
    row([td(c.name), `<td>${chip(c.verdict, c.verdict)}</td>`, td(c.expected), td(c.actual)]),
  );
  return `<section><details><summary><b>All ${s.checks.length} checks</b></summary><table>${head(['check', 'verdict', 'expected', 'actual'])}${rows.join('')}</table></details></section>`;
}

/**
 * One self-contained page: inline CSS, inline SVG, a few lines of inline script that only measure the page; a
 * content security policy forbids every network fetch, so the page looks the same offline and in a CI artefact.
 */
export function renderHtml(summary: RunSummary): string {
  const csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>sessionproof ${esc(summary.verdict.toUpperCase())}: ${esc(summary.run.id)}</title>` +
    `<style>${style}</style></head><body><main>${verdictBanner(summary)}${properties(summary)}${scenarios(summary)}${zoo(summary)}${bench(summary)}${allChecks(summary)}</main>` +
    `<script>${selfCheck}</script></body></html>\n`
  );
}

export async function writeHtml(summary: RunSummary, dir: string): Promise<string> {
  const file = join(dir, 'index.html');
  await writeFile(file, renderHtml(summary));
  return file;
}
