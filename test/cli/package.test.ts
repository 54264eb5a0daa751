import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Started } from '../../examples/session-in-path-koa/server.ts';

/**
 * sessionproof as a team installs it: `npm pack`, the tarball installed into a scratch project of its own, an adapter
 * there importing from 'sessionproof', type-checked with the installed types, then `npx sessionproof` run from that
 * project against an example app. The install fetches the dependencies' metadata from the npm registry (tarballs
 * come from the npm cache when they are there); without a registry the test is skipped, unless
 * SESSIONPROOF_REQUIRE_PACKAGE=1 (set by CI) makes that a failure.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const required = process.env.SESSIONPROOF_REQUIRE_PACKAGE === '1';
const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network/i;

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const npx = (project: string, ...args: string[]) => exec('npx', ['--no', 'sessionproof', ...args], project);

let scratch = '';
let project = '';
let app: Started | undefined;
let packed: { size: number; unpackedSize: number; entryCount: number; files: { path: string }[] } | undefined;
let skipped = '';
const timings: string[] = [];

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings.push(`${label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sessionproof-package-'));
  project = join(scratch, 'shop');
  await mkdir(project);

  const pack = await timed('npm pack', () => exec('npm', ['pack', '--json', '--pack-destination', scratch], root));
  expect(pack.code, pack.stderr).toBe(0);
  // Output of prepack (the types build) may precede the JSON on stdout.
  packed = (JSON.parse(pack.stdout.slice(Math.max(0, pack.stdout.search(/^\[/m)))) as NonNullable<typeof packed>[])[0];
  const tarball = (await readdir(scratch)).find((name) => name.endsWith('.tgz'));
  expect(tarball).toBeDefined();

  await writeFile(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'shop', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const install = await timed('npm install', () =>
    exec(
      'npm',
      ['install', '-D', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, tarball!)],
      project,
      240_000,
    ),
  );
  if (install.code !== 0 && !required && offline.test(install.stderr)) {
    skipped = `npm install of the packed tarball could not reach the registry: skipping (SESSIONPROOF_REQUIRE_PACKAGE=1 makes this a failure)\n${install.stderr.slice(-400)}`;
    console.warn(skipped);
    return;
  }
  expect(install.code, install.stderr).toBe(0);

  // The worked example's adapter, copied out of the package and importing from it as docs/adapters.md says; and the
  // same adapter as plain JavaScript.
  const example = join(project, 'node_modules/sessionproof/examples/session-in-path-koa/adapter.ts');
  const source = (await readFile(example, 'utf8')).replaceAll("'../../adapters/index.ts'", "'sessionproof'");
  expect(source).not.toContain('../');
  await writeFile(join(project, 'sessionproof.adapter.ts'), source);
  const { code } = await transform(source, { loader: 'ts', format: 'esm' });
  await writeFile(join(project, 'sessionproof.adapter.js'), code);

  app = await start({ port: 0 });
}, 300_000);

afterAll(async () => {
  await app?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  if (timings.length > 0) console.info(`package test: ${timings.join(', ')}`);
});

describe('installed from its npm tarball into a project of its own', { timeout: 120_000 }, () => {
  it('ships the CLI, the public API with its types, the reference server and the docs, and no tests', (context) => {
    const files = new Set(packed!.files.map((file) => file.path));
    for (const file of [
      'package.json',
      'README.md',
      'bin/sessionproof.js',
      'cli/main.ts',
      'adapters/index.ts',
      'dist/types/adapters/index.d.ts',
      'server/index.ts',
      'scenarios/load/scenario-server.ts',
      'docs/adapters.md',
      'examples/session-in-path-koa/adapter.ts',
    ])
      expect(files, file).toContain(file);
    for (const file of files) {
      expect(file).not.toMatch(/^(test|node_modules|\.ci)\/|\.prop\.ts$|suite\.ts$/);
      if (file.startsWith('examples/'))
        expect(file, 'examples ship their adapters only').toMatch(/^examples\/[^/]+\/adapter\.ts$/);
    }
    console.info(
      `tarball: ${packed!.entryCount} files, ${(packed!.size / 1000).toFixed(0)} kB (${(packed!.unpackedSize / 1000).toFixed(0)} kB unpacked)`,
    );
    if (skipped) context.skip(skipped);
  });

  it("type-checks the project's adapter against the installed types, which catch a wrong operation", async (context) => {
    if (skipped) return context.skip(skipped);
    const options = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      types: [],
    };
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: options, files: ['sessionproof.adapter.ts'] }),
    );
    const clean = await timed('tsc', () => exec(process.execPath, [tsc, '-p', '.'], project));
    expect(clean.code, clean.stdout).toBe(0);

    await writeFile(
      join(project, 'wrong.ts'),
      "import { defineAdapter, referenceSemantics } from 'sessionproof';\n" +
        "export default defineAdapter({ name: 'wrong', semantics: referenceSemantics, operations: {\n" +
        "  getCart: { request: () => ({ method: 'GET', path: '/cart' }), parse: () => ({ ok: true, value: 3 }) },\n" +
        '} });\n',
    );
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['wrong.ts'] }));
    const wrong = await exec(process.execPath, [tsc, '-p', '.'], project);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.ts\(3,.*not assignable to type 'Cart'/s);
  });

  it('npx sessionproof adapter check walks a TypeScript and a JavaScript adapter against the app', async (context) => {
    if (skipped) return context.skip(skipped);
    for (const file of ['./sessionproof.adapter.ts', './sessionproof.adapter.js']) {
      const check = await timed(`adapter check ${file}`, () =>
        npx(project, 'adapter', 'check', '--adapter', file, '--target', app!.url),
      );
      expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
      expect(check.stdout).toMatch(/(\d+) of \1 operations matched/);
    }
  });

  it('npx sessionproof k6 bundles the k6 scripts with the adapter, into the project', async (context) => {
    if (skipped) return context.skip(skipped);
    const bundle = await timed('k6', () => npx(project, 'k6', '--adapter', './sessionproof.adapter.ts'));
    expect(bundle.code, `${bundle.stdout}\n${bundle.stderr}`).toBe(0);
    expect(bundle.stdout.trim().split('\n')).toEqual(['dist/k6/cart-contention.js', 'dist/k6/session-churn.js']);
    expect(await readFile(join(project, 'dist', 'k6', 'session-churn.js'), 'utf8')).toContain('session-in-path-koa');
  });

  it('npx sessionproof props runs a property through the adapter', async (context) => {
    if (skipped) return context.skip(skipped);
    const props = await timed('props', () =>
      npx(
        project,
        'props',
        '--adapter',
        './sessionproof.adapter.ts',
        '--target',
        app!.url,
        '--only',
        'no-lost-updates',
        '--runs',
        '5',
      ),
    );
    expect(props.code, `${props.stdout}\n${props.stderr}`).toBe(0);
    expect(props.stdout).toMatch(/no-lost-updates\s+5\s+passed/);
  });

  it('npx sessionproof run writes its report into the project, not into node_modules', async (context) => {
    if (skipped) return context.skip(skipped);
    const run = await timed('run', () =>
      npx(
        project,
        'run',
        '--adapter',
        './sessionproof.adapter.ts',
        '--target',
        app!.url,
        '--size',
        'small',
        '--runs',
        '2',
      ),
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const reports = await readdir(join(project, 'reports', 'out'));
    expect(reports).toHaveLength(1);
    const summary = JSON.parse(await readFile(join(project, 'reports', 'out', reports[0]!, 'summary.json'), 'utf8'));
    expect(summary.run.target.adapter.name).toBe('session-in-path-koa');
    expect(existsSync(join(project, 'node_modules', 'sessionproof', 'reports', 'out'))).toBe(false);
  });
});
