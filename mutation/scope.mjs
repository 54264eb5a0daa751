// What mutation testing mutates, shared by stryker.config.mjs (which Stryker loads as plain JavaScript), the ignorer
// plugin, mutation/score.ts and the test that keeps the lists honest. Types: scope.d.mts.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, URL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

function readList(name) {
  return JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8'));
}

export const exclusions = readList('./out-of-scope.json').exclusions;
export const equivalents = readList('./equivalent.json').equivalents;

/**
 * Code of one store only runs when the suites run on that store; on another its mutants could only be "no coverage".
 * Store-agnostic code (store.ts, routes, sessions, tokens) is mutated on every store.
 */
export const storeFiles = {
  memory: [
    'server/stores/memory.ts',
    'server/stores/session-table.ts',
    'server/stores/expiry-index.ts',
    'server/stores/slot-index.ts',
  ],
  redis: ['server/stores/redis.ts', 'server/stores/redis-scripts.ts'],
  postgres: ['server/stores/postgres.ts', 'server/stores/postgres-pool.ts', 'server/stores/postgres-schema.ts'],
};

/** The store the property suites run on: SESSIONPROOF_PROPS_STORE, as properties/targets.ts reads it. */
export function storeKind(env) {
  const location = env.SESSIONPROOF_PROPS_STORE?.trim() || 'memory';
  if (location === 'memory') return 'memory';
  const scheme = /^([a-z]+):\/\//i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  throw new Error(`SESSIONPROOF_PROPS_STORE="${location}": use memory, a redis:// URL or a postgres:// URL`);
}

/** Where a run's reports and incremental file go: one folder per store, and per sample size. */
export function reportDirectory(env) {
  const sample = sampleSize(env);
  return `reports/mutation/${storeKind(env)}${sample > 0 ? `-sample-${sample}` : ''}`;
}

/** What the suites are made of besides their *.prop.ts entry points: everything they import that is not server/. */
export const suiteFolders = ['properties', 'adapters', 'linearizability'];

/**
 * A digest of the suites' code. Stryker's incremental mode sees a change to a mutated file or to a test file
 * (`properties/*.prop.ts`), not to the commands, model and adapters those import; the incremental file is named by
 * this digest, so a change anywhere in the suites starts from no reused results instead of trusting stale ones.
 */
export function suitesFingerprint() {
  const hash = createHash('sha256');
  for (const folder of suiteFolders) {
    const files = readdirSync(path.join(root, folder), { recursive: true })
      .map((file) => String(file))
      .filter((file) => /\.(ts|mts|mjs|js)$/.test(file))
      .sort();
    for (const file of files) hash.update(`${folder}/${file}\0`).update(readFileSync(path.join(root, folder, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** MUTATE_SAMPLE: how many source lines a sampled run mutates (0: the full set). */
export function sampleSize(env) {
  const size = Number(env.MUTATE_SAMPLE ?? 0);
  if (!Number.isInteger(size) || size < 0) throw new Error(`MUTATE_SAMPLE="${env.MUTATE_SAMPLE}": use a whole number`);
  return size;
}

function excludedFiles(kind) {
  const wholeFiles = exclusions.filter((entry) => entry.code === undefined).map((entry) => entry.file);
  const otherStores = Object.entries(storeFiles).flatMap(([store, files]) => (store === kind ? [] : files));
  return [...wholeFiles, ...otherStores];
}

/** Stryker's `mutate` for a store: all of server/ but the whole files and folders left out. */
export function mutatePatterns(kind) {
  return ['server/**/*.ts', ...excludedFiles(kind).map((file) => `!${file.endsWith('/') ? `${file}**` : file}`)];
}

/** The files `mutatePatterns(kind)` selects, relative to the repository root, sorted. */
export function mutatedFiles(kind) {
  const excluded = excludedFiles(kind);
  const files = readdirSync(path.join(root, 'server'), { recursive: true })
    .map((file) => `server/${String(file).split(path.sep).join('/')}`)
    .filter((file) => file.endsWith('.ts'));
  return files.filter((file) => !excluded.some((entry) => file === entry || file.startsWith(entry))).sort();
}

const quietLogger = {
  ...Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) => [level, () => {}])),
  ...Object.fromEntries(
    ['Trace', 'Debug', 'Info', 'Warn', 'Error', 'Fatal'].map((level) => [`is${level}Enabled`, () => false]),
  ),
};

/** Every in-scope mutant Stryker would make of the mutated files (Stryker's positions: 0-based lines and columns). */
export async function listMutants(kind) {
  const { Instrumenter } = await import('@stryker-mutator/instrumenter');
  const files = mutatedFiles(kind).map((name) => ({
    name,
    content: readFileSync(path.join(root, name), 'utf8'),
    mutate: true,
  }));
  const { mutants } = await new Instrumenter(quietLogger).instrument(files, {
    plugins: null,
    excludedMutations: [],
    ignorers: [outOfScopeIgnorer],
  });
  return mutants.filter((mutant) => mutant.status !== 'Ignored');
}

const before = (a, b) => a.line < b.line || (a.line === b.line && a.column <= b.column);
const contains = (outer, inner) => before(outer.start, inner.start) && before(inner.end, outer.end);
const sameSpot = (a, b) => contains(a, b) && contains(b, a);

/**
 * A deterministic sample of `count` mutants, as Stryker ranges (`file:line:column-line:column`, 1-based lines). Stryker
 * runs every mutant wholly inside a range, so only innermost spots are drawn: one-line spots with no other mutant
 * nested inside. Stryker then runs the drawn mutant and any other at the same spot (`a < b` also becomes `true` and
 * `false`), so a run holds somewhat more mutants than `count`. Mutants are ranked by a hash of their file, mutator,
 * replacement and original text, not their position, so an edit elsewhere leaves the sample alone.
 */
export async function sampleRanges(kind, count) {
  const sources = new Map(mutatedFiles(kind).map((file) => [file, readFileSync(path.join(root, file), 'utf8')]));
  const mutants = await listMutants(kind);
  const innermost = mutants.filter(
    ({ fileName, location }) =>
      location.start.line === location.end.line &&
      !mutants.some(
        (other) =>
          other.fileName === fileName && contains(location, other.location) && !sameSpot(location, other.location),
      ),
  );
  const drawn = innermost
    .map((mutant) => {
      const { start, end } = mutant.location;
      const original = sources.get(mutant.fileName).split('\n')[start.line].slice(start.column, end.column);
      const key = [mutant.fileName, mutant.mutatorName, mutant.replacement, original].join('\n');
      return { mutant, rank: createHash('sha256').update(key).digest('hex') };
    })
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .slice(0, count)
    .map(({ mutant: { fileName, location } }) => {
      const { start, end } = location;
      return `${fileName}:${start.line + 1}:${start.column}-${end.line + 1}:${end.column}`;
    });
  return [...new Set(drawn)].sort();
}

/** The out-of-scope region of `file` (absolute or relative) whose anchor `source` starts with, if any. */
export function regionExclusion(file, source) {
  const relative = path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
  return exclusions.find(
    (entry) => entry.code !== undefined && relative.endsWith(entry.file) && source.startsWith(entry.code),
  );
}

/** A Stryker ignore-plugin (mutation/ignorer.mjs registers it) over the regions of mutation/out-of-scope.json. */
export const outOfScopeIgnorer = {
  shouldIgnore(nodePath) {
    const file = nodePath.hub?.file?.opts?.filename;
    if (!file || nodePath.node.start == null) return undefined;
    const exclusion = regionExclusion(file, nodePath.getSource());
    return exclusion ? `out of scope: ${exclusion.reason}` : undefined;
  },
};
