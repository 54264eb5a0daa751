import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../vitest.config.ts';

/**
 * The property suites as Stryker runs them. Without isolation the server's modules load once for all suites rather
 * than once per suite file: a run of all fourteen drops from about 36 s to 10 s at 5 runs each, and a surviving mutant
 * runs them all.
 */
export default mergeConfig(
  base,
  defineConfig({
    root: fileURLToPath(new URL('..', import.meta.url)),
    test: { include: ['properties/*.prop.ts'], isolate: false },
  }),
);
