import { relative } from 'node:path';
import { loadAdapter } from '../adapters/load.ts';
import { adapterScenarios, scenarioNames } from '../scenarios/definitions/index.ts';
import { buildK6, defaultOutDir } from '../scenarios/k6-build.ts';
import { parseCommand, UsageError } from './args.ts';

const usage = `sessionproof k6 [--adapter FILE] [--out DIR]
  Bundles the k6 scripts (one ES module per scenario, importing only k6's modules) for \`k6 run\`, docker-compose
  or k6-operator. With --adapter, the scenarios that run through operations (${adapterScenarios.join(', ')}) are
  bundled with your adapter in place of contract v1; the others drive contract v1's test controls and are left out.
  --adapter FILE   your adapter module (docs/adapters.md)
  --out DIR        where the bundles go (default: dist/k6/ in this package, or ./dist/k6/ with --adapter)`;

export async function k6(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(argv, { adapter: { type: 'string' }, out: { type: 'string' } }, usage);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"\n\n${usage}`);
  // loading it first makes a broken adapter one line naming the file, before esbuild sees it
  if (values.adapter) await loadAdapter(values.adapter);
  const outDir = values.out ?? (values.adapter ? 'dist/k6' : defaultOutDir);
  const files = await buildK6({ outDir, ...(values.adapter ? { adapter: values.adapter } : {}) });
  for (const file of files) console.log(relative(process.cwd(), file) || file);
  if (values.adapter) {
    const left = scenarioNames.filter((name) => !adapterScenarios.includes(name));
    console.error(`bundled with ${values.adapter}; ${left.join(' and ')} need contract v1's test controls: left out`);
  }
}
