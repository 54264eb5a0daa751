import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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
    throw new AdapterError(`adapter ${file} failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const adapter = module.default ?? module.adapter;
  if (adapter === undefined)
    throw new AdapterError(`adapter ${file} exports no adapter: use \`export default defineAdapter({...})\``);
  const problems = adapterProblems(adapter);
  if (problems.length > 0) throw new AdapterError(`adapter ${file}: ${problems.join('; ')}`);
  return adapter as Adapter;
}
