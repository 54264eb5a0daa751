import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseSummary, SummaryError } from '../reports/validate.ts';
import { writeReport } from '../reports/write-report.ts';
import { parseCommand, UsageError } from './args.ts';

const usage = `sessionproof report --from summary.json [--out DIR]

Renders a report folder (summary.json, summary.md, junit.xml, index.html) from a run's summary.json.
  --from FILE   the summary to render
  --out DIR     the folder to write (default reports/out/<run id>/)`;

export async function report(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { from: { type: 'string' }, out: { type: 'string' } }, usage);
  if (!values.from) throw new UsageError(`--from is required\n\n${usage}`);
  let text: string;
  try {
    text = await readFile(values.from, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${values.from}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let summary;
  try {
    summary = parseSummary(text, values.from);
  } catch (error) {
    if (error instanceof SummaryError) throw new UsageError(`${values.from}: ${error.message}`);
    throw error;
  }
  const files = await writeReport(summary, values.out ? { dir: values.out } : {});
  const shown = (file: string) => relative(process.cwd(), file) || '.';
  process.stdout.write(
    `${summary.verdict.toUpperCase()}: report for run ${summary.run.id} written to ${shown(files.dir)}/\n` +
      `  ${shown(files.html)}\n  ${shown(files.markdown)}\n  ${shown(files.junit)}\n  ${shown(files.json)}\n`,
  );
}
