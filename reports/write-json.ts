import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from './schema.ts';
import { validateSummary } from './validate.ts';

/** Writes summary.json, refusing a summary that does not match the schema: a report nobody can read back is worse than none. */
export async function writeJson(summary: RunSummary, dir: string): Promise<string> {
  validateSummary(summary);
  const file = join(dir, 'summary.json');
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}
