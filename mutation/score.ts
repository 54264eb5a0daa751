/**
 * Reads the JSON report of the last `npm run mutate` / `mutate:sample` (same environment), sets aside the mutants
 * mutation/equivalent.json lists, and prints the score of the rest: detected (killed or timed out) over detected plus
 * undetected (survived or no coverage), then every undetected mutant. Compile errors and ignored (out of scope)
 * mutants do not count.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { equivalents, reportDirectory, root, sampleRanges, sampleSize, storeKind, type Equivalent } from './scope.mjs';

interface Position {
  line: number;
  column: number;
}

interface ReportedMutant {
  mutatorName: string;
  replacement?: string;
  location: { start: Position; end: Position };
  status: string;
}

export interface Report {
  files: Record<string, { source: string; mutants: ReportedMutant[] }>;
}

export interface Undetected {
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  status: string;
}

export interface Score {
  counts: Record<string, number>;
  equivalent: number;
  detected: number;
  undetected: Undetected[];
  /** Listed equivalents that the suites killed: the list is wrong about them. */
  killedEquivalents: Undetected[];
  /**
   * Listed equivalents that timed out: still set aside, since on a loaded machine a timeout may be a slow run rather
   * than a hang, but worth checking by hand.
   */
  timedOutEquivalents: Undetected[];
  /** Detected mutants that only timed out (the rest were killed). */
  timeouts: number;
}

/** The source text a mutant replaced (report positions are 1-based). */
function originalText(source: string, { start, end }: ReportedMutant['location']): string {
  const lines = source.split('\n');
  const offset = (position: Position) =>
    lines.slice(0, position.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + position.column - 1;
  return source.slice(offset(start), offset(end));
}

function isListed(file: string, mutant: ReportedMutant, original: string, line: string, list: Equivalent[]): boolean {
  return list.some(
    (entry) =>
      file.endsWith(entry.file) &&
      entry.mutator === mutant.mutatorName &&
      entry.replacement === mutant.replacement &&
      entry.code === original &&
      line.includes(entry.line ?? entry.code),
  );
}

export function score(report: Report, list: Equivalent[] = equivalents): Score {
  const counts: Record<string, number> = {};
  let equivalent = 0;
  let detected = 0;
  const undetected: Undetected[] = [];
  const killedEquivalents: Undetected[] = [];
  const timedOutEquivalents: Undetected[] = [];
  let timeouts = 0;
  for (const [name, { source, mutants }] of Object.entries(report.files)) {
    const file = path.relative(root, path.resolve(root, name)).split(path.sep).join('/');
    for (const mutant of mutants) {
      counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
      const original = originalText(source, mutant.location);
      const described: Undetected = {
        file,
        line: mutant.location.start.line,
        mutator: mutant.mutatorName,
        original,
        replacement: mutant.replacement ?? '',
        status: mutant.status,
      };
      const line = source.split('\n')[mutant.location.start.line - 1] ?? '';
      const listed = isListed(file, mutant, original, line, list);
      const killed = mutant.status === 'Killed';
      const timedOut = mutant.status === 'Timeout';
      if (listed && killed) killedEquivalents.push(described);
      if (listed && timedOut) timedOutEquivalents.push(described);
      if (listed && !killed) equivalent++;
      else if (killed || timedOut) {
        detected++;
        if (timedOut) timeouts++;
      } else if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') undetected.push(described);
    }
  }
  return { counts, equivalent, detected, undetected, killedEquivalents, timedOutEquivalents, timeouts };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 70 ? `${flat.slice(0, 67)}...` : flat;
}

export function formatScore(result: Score): string {
  const total = result.detected + result.undetected.length;
  const percent = total === 0 ? 'n/a' : `${((100 * result.detected) / total).toFixed(1)} %`;
  const counts = Object.entries(result.counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  const describe = (mutant: Undetected) =>
    `  ${mutant.status.padEnd(10)} ${mutant.file}:${mutant.line} ${mutant.mutator}: ${oneLine(mutant.original)} -> ${oneLine(mutant.replacement)}`;
  return [
    `mutants: ${counts}`,
    `equivalent (mutation/equivalent.json): ${result.equivalent}`,
    `score: ${result.detected} detected of ${total} in scope and not equivalent = ${percent}`,
    `  of the detected, ${result.timeouts} only timed out (on a loaded machine that may be a slow run, not a hang)`,
    ...(result.undetected.length > 0 ? ['undetected:', ...result.undetected.map(describe)] : []),
    ...(result.killedEquivalents.length > 0
      ? ['listed as equivalent but killed (remove them from mutation/equivalent.json):']
      : []),
    ...result.killedEquivalents.map(describe),
    ...(result.timedOutEquivalents.length > 0
      ? ['listed as equivalent and timed out (still set aside; check by hand whether it hangs):']
      : []),
    ...result.timedOutEquivalents.map(describe),
  ].join('\n');
}

/**
 * Keeps only the mutants inside these Stryker ranges (`file:line:column-line:column`). An incremental run with ranges
 * carries earlier results for mutants outside them into its report; a sample's score counts only its own draw.
 */
export function withinRanges(report: Report, ranges: string[]): Report {
  const spots = ranges.map((range) => {
    const [, file, startLine, startColumn, endLine, endColumn] = /^(.+):(\d+):(\d+)-(\d+):(\d+)$/.exec(range)!;
    // Ranges count columns from 0, the report from 1.
    const at = (line: string, column: string) => ({ line: Number(line), column: Number(column) + 1 });
    return { file: file!, start: at(startLine!, startColumn!), end: at(endLine!, endColumn!) };
  });
  const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.column <= b.column);
  const files = Object.entries(report.files).map(([name, file]) => {
    const relative = path.relative(root, path.resolve(root, name)).split(path.sep).join('/');
    const mutants = file.mutants.filter(({ location }) =>
      spots.some(
        (spot) => spot.file === relative && before(spot.start, location.start) && before(location.end, spot.end),
      ),
    );
    return [name, { ...file, mutants }] as const;
  });
  return { files: Object.fromEntries(files) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(root, 'mutation/score.ts')) {
  const file = path.join(root, reportDirectory(process.env), 'mutation.json');
  if (!existsSync(file)) {
    console.error(
      `mutation/score.ts: no report at ${path.relative(root, file)}; run Stryker first (see docs/mutation.md)`,
    );
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const sample = sampleSize(process.env);
  const scored = sample > 0 ? withinRanges(report, await sampleRanges(storeKind(process.env), sample)) : report;
  console.log(`${path.relative(root, file)}\n${formatScore(score(scored))}`);
}
