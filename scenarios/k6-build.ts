import { build, type BuildOptions } from 'esbuild';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Bundles each k6 script (scenarios/k6/*.ts but its shared lib.ts) with the scenario definitions it imports into one
 * ES module per scenario, for k6 (and k6-operator) to run unchanged. k6's own modules stay imports: k6 provides them.
 */
export const k6Dir = fileURLToPath(new URL('./k6/', import.meta.url));
export const defaultOutDir = fileURLToPath(new URL('../dist/k6/', import.meta.url));

export async function k6Scripts(): Promise<string[]> {
  return (await readdir(k6Dir))
    .filter((name) => name.endsWith('.ts') && name !== 'lib.ts')
    .sort()
    .map((name) => join(k6Dir, name));
}

/** How a script is bundled: one ES module, for k6's runtime (neither Node nor a browser). */
export const bundleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2020',
  logLevel: 'warning',
} as const satisfies BuildOptions;

export async function buildK6(outDir = defaultOutDir): Promise<string[]> {
  const entryPoints = await k6Scripts();
  await build({ ...bundleOptions, entryPoints, outdir: outDir, external: ['k6', 'k6/*'] });
  return entryPoints.map((entry) => join(outDir, entry.slice(k6Dir.length).replace(/\.ts$/, '.js')));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? defaultOutDir;
  for (const file of await buildK6(outDir)) console.log(file);
}
