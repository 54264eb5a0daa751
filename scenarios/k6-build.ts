import { build, type BuildOptions, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { adapterScenarios, scenarioNames, type ScenarioName } from './definitions/index.ts';

/**
 * Bundles each k6 script (scenarios/k6/<scenario>.ts) with what it imports into one ES module per scenario, for k6
 * (and k6-operator) to run unchanged. k6's own modules stay imports: k6 provides them. With an adapter, the scripts
 * that drive operations are bundled with it in place of contract v1 (scenarios/k6/adapter.ts).
 */
export const k6Dir = fileURLToPath(new URL('./k6/', import.meta.url));
export const defaultOutDir = fileURLToPath(new URL('../dist/k6/', import.meta.url));
const packageEntry = fileURLToPath(new URL('../adapters/index.ts', import.meta.url));

export function k6Script(name: ScenarioName): string {
  return join(k6Dir, `${name}.ts`);
}

export async function k6Scripts(): Promise<string[]> {
  return scenarioNames
    .map(k6Script)
    .filter((file) => existsSync(file))
    .sort();
}

/** How a script is bundled: one ES module, for k6's runtime (neither Node nor a browser). */
export const bundleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2020',
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** The user's adapter in place of the scripts' own, and `sessionproof` (what an adapter imports) as this package. */
export function adapterPlugin(adapterFile: string): Plugin {
  return {
    name: 'sessionproof-adapter',
    setup(builder) {
      builder.onResolve({ filter: /^\.\/adapter\.ts$/ }, ({ importer }) =>
        importer.startsWith(k6Dir) ? { path: resolve(adapterFile) } : undefined,
      );
      builder.onResolve({ filter: /^sessionproof$/ }, () => ({ path: packageEntry }));
    },
  };
}

export interface K6BuildOptions {
  outDir?: string;
  /** A user's adapter module: only the scenarios that run through an adapter are built, with it inside. */
  adapter?: string;
}

export async function buildK6(options: K6BuildOptions = {}): Promise<string[]> {
  const outDir = options.outDir ?? defaultOutDir;
  const entryPoints = options.adapter ? adapterScenarios.map(k6Script) : await k6Scripts();
  await build({
    ...bundleOptions,
    entryPoints,
    outdir: outDir,
    external: ['k6', 'k6/*'],
    plugins: options.adapter ? [adapterPlugin(options.adapter)] : [],
  });
  return entryPoints.map((entry) => join(outDir, entry.slice(k6Dir.length).replace(/\.ts$/, '.js')));
}
