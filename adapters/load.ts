import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdapterError, adapterProblems, type Adapter } from './adapter.ts';

/**
 * Loads a user's adapter module (TypeScript or JavaScript; the CLI runs under tsx). The adapter is the default export
 * or the export named `adapter`. Every problem is one line naming the file.
 */
export async function loadAdapter(file: string): Promise<Adapter> {
  const path = resolve(file);
  if (!existsSync(path)) throw new AdapterError(`adapter ${file}: no such file`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof AdapterError) throw new AdapterError(`${file}: ${error.message}`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new AdapterError(`adapter ${file} failed to load: ${reason}${commonJsHint(path)}`);
  }
  const adapter = module.default ?? module.adapter;
  if (adapter === undefined)
    throw new AdapterError(`adapter ${file} exports no adapter: use \`export default defineAdapter({...})\``);
  const problems = adapterProblems(adapter);
  if (problems.length > 0) throw new AdapterError(`adapter ${file}: ${problems.join('; ')}`);
  return adapter as Adapter;
}

/**
 * A `.ts` or `.js` file in a package without `"type": "module"` is CommonJS to Node and tsx, and an adapter written
 * with `import` then fails with an error about require() that does not say why. Names the cause and the fix.
 */
function commonJsHint(path: string): string {
  if (!['.ts', '.js'].includes(extname(path))) return '';
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      let type: unknown;
      try {
        type = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
      } catch {
        return '';
      }
      return type === 'module'
        ? ''
        : ` (an adapter must be an ES module, and ${manifest} has no "type": "module": add it, or name the adapter ` +
            `${extname(path) === '.ts' ? '.mts' : '.mjs'})`;
    }
    if (dirname(dir) === dir) return '';
  }
}
