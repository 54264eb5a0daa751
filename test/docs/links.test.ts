import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorsOf, brokenLinks, slug } from './markdown.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The pages a user reads: the README, everything in docs/, and the examples' README. */
const pages = [
  'README.md',
  'examples/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

describe('relative links in the documentation resolve', () => {
  it('covers the docs folder', () => {
    expect(pages).toContain('docs/contract.md');
  });

  it.each(pages)('%s', (page) => {
    expect(brokenLinks(join(root, page), root)).toEqual([]);
  });
});

describe('the link checker', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'sessionproof-links-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('reports a missing file and a missing heading, and nothing else', () => {
    mkdirSync(join(fixture, 'sub'));
    writeFileSync(join(fixture, 'sub', 'target.md'), '# Target page\n\n## Error codes\n\n## Error codes\n');
    writeFileSync(
      join(fixture, 'page.md'),
      [
        '# Page',
        'Fine: [a](sub/target.md), [b](sub/target.md#error-codes), [c](sub/target.md#error-codes-1),',
        '[d](#page), [e](/sub/target.md), [f](sub/), [g](https://example.com/missing.md), `[h](nowhere.md)`.',
        '[ref]: sub/target.md#target-page',
        '```md',
        '[i](inside-a-code-block.md)',
        '```',
        'Broken: [j](sub/missing.md) and [k](sub/target.md#no-such-heading) and [l](#nor-here).',
      ].join('\n'),
    );
    expect(brokenLinks(join(fixture, 'page.md'), fixture)).toEqual([
      'page.md:8: sub/missing.md -> sub/missing.md does not exist',
      'page.md:8: sub/target.md#no-such-heading -> sub/target.md has no heading #no-such-heading',
      'page.md:8: #nor-here -> page.md has no heading #nor-here',
    ]);
  });

  it("makes GitHub's heading anchors", () => {
    expect(slug('Identity: cookies, bearer tokens and CSRF')).toBe('identity-cookies-bearer-tokens-and-csrf');
    expect(slug('`POST /auth/refresh`')).toBe('post-authrefresh');
    expect(slug('The main job: `sessionproof run`')).toBe('the-main-job-sessionproof-run');
    expect(slug('k6 scripts (scale-out)')).toBe('k6-scripts-scale-out');
    expect(slug('See [faults](faults.md) and `no_lost_updates`')).toBe('see-faults-and-no_lost_updates');
    expect([...anchorsOf('# A\n## A\n<a id="custom"></a>\n```\n# not a heading\n```\n')]).toEqual([
      'a',
      'a-1',
      'custom',
    ]);
  });
});
