import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../vitest.config.ts';

/**
 * The property suites as Stryker runs them. Without isolation the server's modules load once for all suites rather
 * than once per suite file: a run of all fourteen drops from about 36 s to 10 s at 5 runs each, and a surviving mutant
 * runs them all. This include is the only thing that keeps the server's own tests out of the score (the Stryker
 * config names no `testFiles`).
 */
export default defineConfig({
  ...base,
  root: fileURLToPath(new URL('..', import.meta.url)),
  // spread, not merged: vite's mergeConfig would append this include to the base one (every test file)
  test: { ...base.test, include: ['properties/*.prop.ts'], isolate: false },
});
