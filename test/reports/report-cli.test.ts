import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary } from '../../reports/validate.ts';
import { sampleSummary } from './fixtures.ts';

describe('sessionproof report (command)', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sessionproof-report-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('re-renders all four files of a report folder from a summary.json', async () => {
    const summary = sampleSummary({ undetectedFault: 'racy-cart-create' });
    await writeFile(join(dir, 'in.json'), JSON.stringify(summary));
    const out = join(dir, 'folder');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/sessionproof.js', 'report', '--from', join(dir, 'in.json'), '--out', out],
      { cwd: root, timeout: 20_000 },
    );
    expect(stdout).toContain(`FAIL: report for run ${summary.run.id} written to`);
    expect(parseSummary(await readFile(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('| racy-cart-create | ❌ MISSED |');
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toContain(
      '<testcase classname="sessionproof.zoo" name="zoo fault racy-cart-create detected"',
    );
    expect(await readFile(join(out, 'index.html'), 'utf8')).toContain('<h1>FAIL: ');
  });

  it('refuses a summary that does not match the schema, naming the path, with exit status 2', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ ...sampleSummary(), schemaVersion: 1, checks: 'none' }));
    const failure = await promisify(execFile)(
      process.execPath,
      ['bin/sessionproof.js', 'report', '--from', join(dir, 'bad.json')],
      { cwd: root, timeout: 20_000 },
    ).catch((e: unknown) => e as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('checks: expected an array, got "none"');
  });
});
