import type { ZooOutcome } from '../../reports/schema.ts';
import type { ZooResult } from './run-zoo.ts';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** The detection table: one row per fault, with what caught it, how fast, and the command that shows it again. */
export function formatDetection(result: ZooResult): string {
  const clean = result.section.clean;
  const cleanLine =
    result.clean === null
      ? 'clean server: not run'
      : clean.passed
        ? 'clean server: passed every property and scenario check'
        : `clean server: FAILED ${clean.failures.join(', ')}`;
  const rows = result.rows.map((row) => [
    row.fault,
    row.detected ? 'detected' : 'NOT DETECTED',
    row.firstFailure ? `${row.firstFailure.kind} ${row.firstFailure.name}` : '-',
    row.runsToDetect === null ? '-' : String(row.runsToDetect),
    row.secondsToDetect === null ? '-' : row.secondsToDetect.toFixed(1),
    row.replay ?? '-',
  ]);
  const detected = result.rows.filter((row) => row.detected).length;
  return [
    cleanLine,
    '',
    table(['fault', 'detected', 'first failure', 'runs', 'seconds', 'replay'], rows),
    '',
    `${detected}/${result.rows.length} faults detected; median seconds to detect: ${result.medianSecondsToDetect === null ? '-' : result.medianSecondsToDetect.toFixed(1)}; zoo took ${result.seconds.toFixed(0)} s`,
  ].join('\n');
}

const marks: Record<ZooOutcome, string> = { detected: 'X', passed: '.', 'not-run': ' ', 'not-applicable': '-' };

/** The full fault x column matrix (`--matrix`): X failed, . passed, - not applicable, blank not run. */
export function formatMatrix(result: ZooResult): string {
  const { columns } = result.section;
  const legend = columns.map((column, i) => `  ${String(i + 1).padStart(2)}  ${column}`).join('\n');
  const header = ['fault', ...columns.map((_, i) => String(i + 1))];
  const cleanRow = ['(clean)', ...columns.map((column) => marks[result.section.clean.outcomes[column] ?? 'not-run'])];
  const rows = result.rows.map((row) => [
    row.fault,
    ...columns.map((column) => marks[row.outcomes[column] ?? 'not-run']),
  ]);
  return [
    `columns:\n${legend}`,
    '',
    table(header, [cleanRow, ...rows]),
    '',
    'X failed (detected)  . passed  - not applicable  blank: not run',
  ].join('\n');
}
