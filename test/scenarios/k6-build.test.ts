import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildK6, k6Scripts } from '../../scenarios/k6-build.ts';
import { scenarioNames } from '../../scenarios/definitions/index.ts';

const outDir = await mkdtemp(join(tmpdir(), 'sessionproof-k6-'));
afterAll(() => rm(outDir, { recursive: true, force: true }));

/** Every import or require left in a bundle: what k6 will have to resolve itself. */
function importsOf(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:^|\n)\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/g)].map(
    (m) => m[1]!,
  );
  const requires = [...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
  const dynamic = [...source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
  return [...specifiers, ...requires, ...dynamic];
}

describe('k6 scripts', () => {
  it('there is one script per scenario', async () => {
    expect((await k6Scripts()).map((file) => basename(file, '.ts'))).toEqual([...scenarioNames].sort());
  });

  it('bundle with esbuild into one file per scenario that imports only k6 modules', async () => {
    const files = await buildK6(outDir);
    expect(files.map((file) => basename(file))).toEqual([...scenarioNames].sort().map((name) => `${name}.js`));
    for (const file of files) {
      const source = await readFile(file, 'utf8');
      const imports = importsOf(source);
      expect(imports.length, `${file} imports k6`).toBeGreaterThan(0);
      expect(
        imports.filter((specifier) => specifier !== 'k6' && !specifier.startsWith('k6/')),
        `${file} imports only k6 modules`,
      ).toEqual([]);
      expect(source).not.toMatch(/\bprocess\.(env|argv)|node:/);
      expect(source).toMatch(/export\s*\{[^}]*\boptions\b/);
    }
  });
});
