import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const files = await readdir(join(root, dir), { recursive: true });
  return files.filter((file) => file.endsWith('.ts')).map((file) => join(root, dir, file));
}

it('docs/configuration.md names every environment variable server/ and cli/ read', async () => {
  const read = new Set<string>();
  for (const file of [...(await sources('server')), ...(await sources('cli'))]) {
    for (const match of (await readFile(file, 'utf8')).matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]*)/g))
      read.add(match[1]!);
  }
  expect([...read]).toEqual(expect.arrayContaining(['NODE_ENV', 'SESSIONPROOF_JWT_SECRET', 'SESSIONPROOF_DEBUG']));
  const documented = await readFile(join(root, 'docs/configuration.md'), 'utf8');
  const section = documented.split('## Environment variables the server and the CLI read')[1]!.split('\n## ')[0]!;
  for (const name of read) expect(section, name).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
});
