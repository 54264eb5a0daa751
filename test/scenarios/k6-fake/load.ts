import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { adapterPlugin, bundleOptions, k6Dir } from '../../../scenarios/k6-build.ts';
import type { ScenarioName } from '../../../scenarios/definitions/index.ts';
import type { K6Fake } from './fake.ts';

const fakeDir = fileURLToPath(new URL('./', import.meta.url));
const outDir = await mkdtemp(join(tmpdir(), 'sessionproof-k6-fake-'));
const bundles = new Map<string, Promise<string>>();
let loads = 0;

/**
 * The script bundled as for k6 (the same esbuild options, and the user's adapter where one is given), with k6's
 * modules resolved to the fakes beside this file.
 */
function bundle(name: ScenarioName, adapter: string | undefined): Promise<string> {
  const key = `${name} ${adapter ?? ''}`;
  let text = bundles.get(key);
  if (!text) {
    text = build({
      ...bundleOptions,
      entryPoints: [join(k6Dir, `${name}.ts`)],
      write: false,
      plugins: [
        ...(adapter ? [adapterPlugin(adapter)] : []),
        {
          name: 'k6-fake',
          setup: (builder) =>
            builder.onResolve({ filter: /^k6(\/|$)/ }, ({ path }) => ({
              path: join(fakeDir, `${path === 'k6' ? 'k6' : path.slice('k6/'.length)}.ts`),
            })),
        },
      ],
    }).then(({ outputFiles }) => outputFiles[0]!.text);
    bundles.set(key, text);
  }
  return text;
}

/** A fresh instance of the script (one k6 VU: its own module state), with `env` as `__ENV` and `fake` as k6. */
export async function loadScript(
  name: ScenarioName,
  env: Record<string, string>,
  fake: K6Fake,
  /** A user's adapter module, bundled in place of contract v1 as `k6:build --adapter` does. */
  adapter?: string,
): Promise<Record<string, any>> {
  const file = join(outDir, `${name}-${++loads}.mjs`);
  await writeFile(file, await bundle(name, adapter));
  Object.assign(globalThis, { __ENV: env, k6Fake: fake });
  return import(pathToFileURL(file).href);
}

export function fakeK6(respond: K6Fake['respond'] = () => ({ status: 500 })): K6Fake {
  return { respond, requests: [], metrics: {}, aborted: null, vu: 1 };
}

export function removeLoadedScripts(): Promise<void> {
  return rm(outDir, { recursive: true, force: true });
}
