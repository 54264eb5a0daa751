import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Adapter } from '../../adapters/adapter.ts';
import { History } from '../../adapters/history.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import { walkAdapter } from '../../adapters/walk.ts';
import koaAdapter from '../../examples/session-in-path-koa/adapter.ts';
import { start, type Started } from '../../examples/session-in-path-koa/server.ts';
import { sessionproof } from '../cli/spawn.ts';

let app: Started;
let scratch: string;
const adapterFile = fileURLToPath(new URL('../../examples/session-in-path-koa/adapter.ts', import.meta.url));
const adapterIndex = fileURLToPath(new URL('../../adapters/index.ts', import.meta.url));

beforeAll(async () => {
  app = await start();
  scratch = await mkdtemp(join(tmpdir(), 'sessionproof-adapter-'));
  // a user's project, where adapter modules are ES modules
  await writeFile(join(scratch, 'package.json'), '{ "type": "module" }\n');
});

afterAll(async () => {
  await app.close();
  await rm(scratch, { recursive: true, force: true });
});

function walk(adapter: Adapter) {
  const user = new VirtualUser('check', () => app.url, new History());
  return walkAdapter(adapter, user, { email: `walker-${Math.random()}`, password: 'pw-walker' });
}

describe('walkAdapter on an app shaped unlike contract v1', () => {
  test('every operation the session-in-path adapter offers matches the app', async () => {
    const steps = await walk(koaAdapter);
    expect(steps.map((step) => step.problems).flat()).toEqual([]);
    expect(steps.map((step) => step.operation)).toEqual(
      expect.arrayContaining(['openSession', 'register', 'login', 'whoami', 'setQuantity', 'checkout', 'logout']),
    );
  });

  test('a parser that loses lines is named at the operation where the cart stops matching', async () => {
    const { addItem } = koaAdapter.operations;
    const broken: Adapter = {
      ...koaAdapter,
      operations: {
        ...koaAdapter.operations,
        addItem: {
          request: addItem!.request,
          parse: () => ({ ok: true, value: { id: null, owner: null, items: [] } }),
        },
      },
    };
    const bad = (await walk(broken)).filter((step) => step.problems.length > 0);
    expect(bad[0]).toMatchObject({ operation: 'addItem', problems: ['expected SKU-0001 x2 in the cart, it shows 0'] });
  });

  test('a declared rotation the app does not do is reported at login', async () => {
    const { login } = koaAdapter.operations;
    const keepsId: Adapter = {
      ...koaAdapter,
      operations: {
        ...koaAdapter.operations,
        login: {
          request: login!.request,
          parse: (response, context) => {
            const outcome = login!.parse(response, context);
            if (!('ok' in outcome) || !outcome.ok) return outcome;
            return {
              ...outcome,
              value: { ...outcome.value, session: { ...outcome.value.session!, id: context.state.sessionId } },
            };
          },
        },
      },
    };
    const bad = (await walk(keepsId)).filter((step) => step.problems.length > 0);
    expect(bad.map((step) => step.operation)).toEqual(['login']);
    expect(bad[0]!.problems[0]).toMatch(/declared rotatesOnLogin, but the session id .* did not change/);
  });
});

describe('sessionproof adapter check', () => {
  test('walks a user adapter and exits 0 when every operation matched', { timeout: 120_000 }, async () => {
    const result = await sessionproof(['adapter', 'check', '--adapter', adapterFile, '--target', app.url]);
    expect(result.stdout).toMatch(/^ok {2}setQuantity/m);
    expect(result.stdout).toMatch(/(\d+) of \1 operations matched/);
    expect(result.code).toBe(0);
  });

  test('a file that exports no adapter is one line naming the file, exit 2', { timeout: 120_000 }, async () => {
    const file = join(scratch, 'empty.adapter.ts');
    await writeFile(file, 'export const nothing = 1;\n');
    const result = await sessionproof(['adapter', 'check', '--adapter', file, '--target', app.url]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `adapter ${file} exports no adapter: use \`export default defineAdapter({...})\``,
    ]);
  });

  test('an adapter in a CommonJS project says to name it .mts, exit 2', { timeout: 120_000 }, async () => {
    const project = join(scratch, 'commonjs');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), '{ "name": "shop" }\n');
    const file = join(project, 'sessionproof.adapter.ts');
    await writeFile(file, `import { defineAdapter } from '${adapterIndex}';\nexport default defineAdapter({});\n`);
    const result = await sessionproof(['adapter', 'check', '--adapter', file, '--target', app.url]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      `(an adapter must be an ES module, and ${join(project, 'package.json')} has no "type": "module": add it, or name the adapter .mts)`,
    );
  });
});
