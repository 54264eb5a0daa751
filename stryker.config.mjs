// Mutation testing of server/ with the property suites as the only tests (docs/mutation.md).
//   SESSIONPROOF_PROPS_STORE  the store the suites and the mutated store code run on (memory, redis://, postgres://)
//   MUTATE_SAMPLE=N           mutate only N deterministically drawn spots, about 2N mutants (npm run mutate:sample)
import process from 'node:process';
import {
  mutatePatterns,
  reportDirectory,
  sampleRanges,
  sampleSize,
  storeKind,
  suitesFingerprint,
} from './mutation/scope.mjs';

const kind = storeKind(process.env);
const sample = sampleSize(process.env);
const reports = reportDirectory(process.env);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // Only the property suites (mutation/vitest.config.ts includes nothing else): the score measures what they catch,
  // not what the server's own tests do. Not through `testFiles`: with it Stryker 9 activates a static mutant (a
  // module-level value, such as a regex) after the module has loaded, and reports it survived (stryker-js#6144).
  vitest: { configFile: 'mutation/vitest.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  plugins: ['@stryker-mutator/vitest-runner', '@stryker-mutator/typescript-checker', './mutation/ignorer.mjs'],
  ignorers: ['out-of-scope'],
  mutate: sample > 0 ? await sampleRanges(kind, sample) : mutatePatterns(kind),
  coverageAnalysis: 'perTest',
  // A cache of results keyed by code and tests, rewritten by every run; not committed (docs/mutation.md). One file per
  // version of the suites' code: Stryker itself notices only changed mutants and changed *.prop.ts files.
  incremental: true,
  incrementalFile: `${reports}/incremental-${suitesFingerprint()}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  // Two workers on the shared 2-core machine; each runs a reference server and its suites.
  concurrency: 2,
  // The machine is shared: a slow run is not an infinite loop.
  timeoutMS: 30_000,
  dryRunTimeoutMinutes: 30,
  ignorePatterns: ['dist', 'reports/out', 'reports/mutation', 'examples', 'docs', 'test', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
