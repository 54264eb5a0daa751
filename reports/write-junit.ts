import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Check, RunSummary } from './schema.ts';

/** Text safe in XML content and attributes; characters XML 1.0 forbids are dropped rather than breaking the file. */
export function escapeXml(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const attrs = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');

const suiteNames: Record<Check['source'], string> = {
  property: 'properties',
  scenario: 'scenario checks',
  zoo: 'fault zoo',
  bench: 'bench',
  run: 'run',
};

function testcase(check: Check): string {
  const head = `    <testcase${attrs({ classname: `sessionproof.${check.source}`, name: check.name, time: (check.seconds ?? 0).toFixed(3) })}`;
  if (check.verdict === 'pass') return `${head}/>`;
  if (check.verdict === 'skip')
    return `${head}>\n      <skipped${attrs({ message: check.message ?? check.actual })}/>\n    </testcase>`;
  const message = check.message ?? `expected ${check.expected}, got ${check.actual}`;
  const body = [
    `expected: ${check.expected}`,
    `actual: ${check.actual}`,
    message,
    ...(check.replay ? [`replay: ${check.replay}`] : []),
  ].join('\n');
  return `${head}>\n      <failure${attrs({ message: message.split('\n')[0]!, type: check.source })}>${escapeXml(body)}</failure>\n    </testcase>`;
}

/** JUnit XML for CI: one testsuite per check source, one testcase per check (property, scenario check, fault, bench figure). */
export function renderJunit(summary: RunSummary): string {
  const sources = [...new Set(summary.checks.map((c) => c.source))];
  const count = (checks: Check[], verdict: Check['verdict']) => checks.filter((c) => c.verdict === verdict).length;
  const time = (checks: Check[]) => checks.reduce((sum, c) => sum + (c.seconds ?? 0), 0).toFixed(3);
  const suites = sources.map((source) => {
    const checks = summary.checks.filter((c) => c.source === source);
    const head = attrs({
      name: suiteNames[source],
      tests: checks.length,
      failures: count(checks, 'fail'),
      errors: 0,
      skipped: count(checks, 'skip'),
      time: time(checks),
      timestamp: summary.run.startedAt.slice(0, 19),
    });
    return `  <testsuite${head}>\n${checks.map(testcase).join('\n')}\n  </testsuite>`;
  });
  const all = summary.checks;
  const head = attrs({
    name: `sessionproof ${summary.run.id}`,
    tests: all.length,
    failures: count(all, 'fail'),
    errors: 0,
    skipped: count(all, 'skip'),
    time: time(all),
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${head}>\n${suites.join('\n')}\n</testsuites>\n`;
}

export async function writeJunit(summary: RunSummary, dir: string): Promise<string> {
  const file = join(dir, 'junit.xml');
  await writeFile(file, renderJunit(summary));
  return file;
}
