import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorTable } from '../../server/errors.ts';
import { faults } from '../../server/faults/index.ts';

/** The docs must not fall behind the code: every fault and every error code the server knows is documented. */
const read = (page: string) => readFileSync(new URL(`../../docs/${page}`, import.meta.url), 'utf8');

describe('docs/faults.md', () => {
  const text = read('faults.md');
  const sections = [...text.matchAll(/^### `([^`]+)`/gm)].map((match) => match[1]);

  it('has a section for every fault in server/faults, in catalogue order, and for no other', () => {
    expect(sections).toEqual(faults.map((fault) => fault.id));
  });

  it('lists every fault in its summary table', () => {
    for (const fault of faults) expect(text, fault.id).toContain(`| [\`${fault.id}\`](#${fault.id}) |`);
  });
});

describe('docs/contract.md', () => {
  const text = read('contract.md');
  const rows = new Map(
    [...text.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((match) => [match[1]!, Number(match[2])]),
  );

  it('lists every error code of server/errors.ts with its status, and no other code', () => {
    const table = Object.fromEntries(Object.entries(errorTable).map(([code, { status }]) => [code, status]));
    expect(Object.fromEntries(rows)).toEqual(table);
  });
});
