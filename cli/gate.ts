import { readFile } from 'node:fs/promises';
import { compareRuns, formatGate, type GateOptions } from '../reports/gate.ts';
import { parseSummary, SummaryError } from '../reports/validate.ts';
import { parseCommand, UsageError } from './args.ts';

const usage = `sessionproof gate --baseline FILE --current FILE [--tolerance 0.15] [--tolerance-for NAME=0.3 ...]

Compares a run's summary.json with a baseline summary.json. Correctness counters and checks are compared exactly;
speed only as ratios measured inside each run (server over the bare node:http calibration of the same run, live
throughput during a sweep over before it), never as absolute times. Prints every figure with baseline, current,
change and verdict, and exits 1 naming each regression, 2 on bad usage or an unreadable summary.
  --baseline FILE       the committed baseline (see reports/baselines/)
  --current FILE        the run to judge
  --tolerance X         allowed relative worsening of a speed ratio (default 0.15 = 15 %)
  --tolerance-for N=X   a tolerance for the figures named N (\`*\` matches anything); repeatable`;

function fraction(text: string, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 10)
    throw new UsageError(`${what} must be a fraction such as 0.15, got "${text}"`);
  return value;
}

export function gateOptions(values: { tolerance?: string; 'tolerance-for'?: string[] }): GateOptions {
  return {
    tolerance: values.tolerance === undefined ? 0.15 : fraction(values.tolerance, '--tolerance'),
    toleranceFor: (values['tolerance-for'] ?? []).map((spec) => {
      const at = spec.lastIndexOf('=');
      if (at <= 0) throw new UsageError(`--tolerance-for takes NAME=FRACTION, got "${spec}"`);
      return {
        pattern: spec.slice(0, at),
        tolerance: fraction(spec.slice(at + 1), `--tolerance-for ${spec.slice(0, at)}`),
      };
    }),
  };
}

async function load(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseSummary(text, file);
  } catch (error) {
    if (error instanceof SummaryError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

export async function gate(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      baseline: { type: 'string' },
      current: { type: 'string' },
      tolerance: { type: 'string' },
      'tolerance-for': { type: 'string', multiple: true },
    },
    usage,
  );
  if (!values.baseline || !values.current) throw new UsageError(`--baseline and --current are required\n\n${usage}`);
  const options = gateOptions(values);
  const [baseline, current] = await Promise.all([load(values.baseline), load(values.current)]);
  const result = compareRuns(baseline, current, options);
  process.stdout.write(
    formatGate(result, {
      baseline: `${values.baseline} (run ${baseline.run.id})`,
      current: `${values.current} (run ${current.run.id})`,
    }),
  );
  if (!result.passed) process.exitCode = 1;
}
