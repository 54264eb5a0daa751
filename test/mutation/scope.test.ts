/**
 * Keeps the mutation-testing configuration honest without running Stryker: the config loads and names only options
 * Stryker knows, and every exclusion and equivalent still points at code that exists.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  equivalents,
  exclusions,
  mutatedFiles,
  mutatePatterns,
  regionExclusion,
  reportDirectory,
  root,
  sampleRanges,
  storeFiles,
  storeKind,
} from '../../mutation/scope.mjs';
import { score, withinRanges } from '../../mutation/score.ts';
import suitesConfig from '../../mutation/vitest.config.ts';

const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const readJson = (file: string) => JSON.parse(read(file)) as { properties: Record<string, unknown> };

/** Stryker 9's mutators (node_modules/@stryker-mutator/instrumenter/dist/src/mutators). */
const mutators = [
  'ArithmeticOperator',
  'ArrayDeclaration',
  'ArrowFunction',
  'AssignmentOperator',
  'BlockStatement',
  'BooleanLiteral',
  'ConditionalExpression',
  'EqualityOperator',
  'LogicalOperator',
  'MethodExpression',
  'ObjectLiteral',
  'OptionalChaining',
  'Regex',
  'StringLiteral',
  'UnaryOperator',
  'UpdateOperator',
];

describe('stryker.config.mjs', async () => {
  const config = (await import(path.join(root, 'stryker.config.mjs'))).default as Record<string, unknown>;

  it('names only options Stryker or its plugins declare', () => {
    const known = new Set(
      [
        '@stryker-mutator/api/dist/schema/stryker-core.json',
        '@stryker-mutator/vitest-runner/dist/schema/vitest-runner-options.json',
        '@stryker-mutator/typescript-checker/dist/schema/typescript-checker-options.json',
      ].flatMap((schema) => Object.keys(readJson(`node_modules/${schema}`).properties)),
    );
    expect(Object.keys(config).filter((option) => !known.has(option))).toEqual([]);
  });

  it('runs the property suites alone, incrementally, over server/', () => {
    expect(config.testRunner).toBe('vitest');
    // static mutants need a run without testFiles (stryker-js#6144): the vitest config alone picks the suites
    expect(config.testFiles).toBeUndefined();
    expect(suitesConfig.test?.include).toEqual(['properties/*.prop.ts']);
    expect(config.incremental).toBe(true);
    expect(config.mutate).toEqual(mutatePatterns('memory'));
    expect(config.ignorers).toEqual(['out-of-scope']);
  });

  it('loads plugins and a tsconfig that exist', () => {
    const local = (config.plugins as string[]).filter((plugin) => plugin.startsWith('./'));
    expect(local.length).toBeGreaterThan(0);
    const vitest = (config.vitest as { configFile: string }).configFile;
    for (const file of [...local, config.tsconfigFile as string, vitest])
      expect(existsSync(path.join(root, file))).toBe(true);
  });
});

describe('mutation/out-of-scope.json', () => {
  it.each(exclusions.map((entry) => [`${entry.file} ${entry.code ?? ''}`, entry] as const))('%s', (_, entry) => {
    expect(entry.reason.trim()).not.toBe('');
    expect(existsSync(path.join(root, entry.file))).toBe(true);
    if (entry.code === undefined) return;
    expect(statSync(path.join(root, entry.file)).isFile()).toBe(true);
    expect(read(entry.file)).toContain(entry.code);
    expect(regionExclusion(path.join(root, entry.file), `${entry.code} ...`)).toBe(entry);
  });

  it('leaves the rest of the file in scope', () => {
    expect(regionExclusion('server/routes/meta.ts', "router.get('/.well-known/sessionproof'")).toBeUndefined();
    expect(regionExclusion('server/app.ts', "router.get('/health'")).toBeUndefined();
  });
});

describe('mutation/equivalent.json', () => {
  it('lists each mutant once', () => {
    const keys = equivalents.map((entry) =>
      [entry.file, entry.code, entry.line, entry.mutator, entry.replacement].join('\n'),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(equivalents.map((entry) => [`${entry.file} ${entry.code}`, entry] as const))('%s', (_, entry) => {
    expect(entry.reason.trim()).not.toBe('');
    expect(mutators).toContain(entry.mutator);
    const stores = Object.keys(storeFiles) as (keyof typeof storeFiles)[];
    expect(stores.flatMap((kind) => mutatedFiles(kind))).toContain(entry.file);
    expect(read(entry.file)).toContain(entry.line ?? entry.code);
    expect(entry.line ?? entry.code).toContain(entry.code);
  });
});

describe('the mutated files', () => {
  it('cover each store only on its own store', () => {
    for (const files of Object.values(storeFiles))
      for (const file of files) expect(existsSync(path.join(root, file))).toBe(true);
    expect(mutatedFiles('memory')).toContain('server/stores/memory.ts');
    expect(mutatedFiles('memory')).not.toContain('server/stores/redis.ts');
    expect(mutatedFiles('redis')).toContain('server/stores/redis-scripts.ts');
    expect(mutatedFiles('postgres')).not.toContain('server/stores/session-table.ts');
    expect(mutatedFiles('postgres')).toContain('server/stores/store.ts');
    expect(mutatedFiles('memory').some((file) => file.startsWith('server/faults/'))).toBe(false);
  });

  it('follow SESSIONPROOF_PROPS_STORE and MUTATE_SAMPLE', () => {
    expect(storeKind({})).toBe('memory');
    expect(storeKind({ SESSIONPROOF_PROPS_STORE: 'redis://127.0.0.1:6379' })).toBe('redis');
    expect(storeKind({ SESSIONPROOF_PROPS_STORE: 'postgres://postgres@127.0.0.1:5432/test' })).toBe('postgres');
    expect(() => storeKind({ SESSIONPROOF_PROPS_STORE: 'mysql://x' })).toThrow(/SESSIONPROOF_PROPS_STORE/);
    expect(reportDirectory({ MUTATE_SAMPLE: '30' })).toBe('reports/mutation/memory-sample-30');
  });
});

describe('the sample', () => {
  it('is the same every time and names one-line spots of mutated files', { timeout: 60_000 }, async () => {
    const ranges = await sampleRanges('memory', 30);
    expect(ranges.length).toBeGreaterThan(20);
    expect(await sampleRanges('memory', 30)).toEqual(ranges);
    for (const range of ranges) {
      const [, file, line, from, to] = /^(.+):(\d+):(\d+)-\2:(\d+)$/.exec(range)!;
      expect(mutatedFiles('memory')).toContain(file);
      const text = read(file!).split('\n')[Number(line) - 1]!;
      expect(text.slice(Number(from), Number(to)).trim()).not.toBe('');
    }
  });
});

describe('the score', () => {
  const source = 'if (a < b) x();\n';
  const mutant = (mutatorName: string, replacement: string, status: string, end = 10) => ({
    mutatorName,
    replacement,
    status,
    location: { start: { line: 1, column: 5 }, end: { line: 1, column: end } },
  });
  const report = {
    files: {
      'server/x.ts': {
        source,
        mutants: [
          mutant('EqualityOperator', 'a <= b', 'Survived'),
          mutant('ConditionalExpression', 'true', 'Killed'),
          mutant('ConditionalExpression', 'false', 'Survived'),
          mutant('EqualityOperator', 'a >= b', 'Timeout'),
          mutant('StringLiteral', '""', 'CompileError'),
        ],
      },
    },
  };
  const listed = { file: 'server/x.ts', code: 'a < b', mutator: 'EqualityOperator', reason: 'example' };

  it('sets listed equivalents aside and counts detected over detected plus undetected', () => {
    const result = score(report, [{ ...listed, replacement: 'a <= b' }]);
    expect(result.equivalent).toBe(1);
    expect(result.detected).toBe(2);
    expect(result.undetected.map((m) => [m.original, m.replacement])).toEqual([['a < b', 'false']]);
    expect(result.counts).toEqual({ Survived: 2, Killed: 1, Timeout: 1, CompileError: 1 });
  });

  it('matches an entry with a line only on that line', () => {
    const entry = { ...listed, replacement: 'a <= b' };
    expect(score(report, [{ ...entry, line: 'if (a < b) x();' }]).equivalent).toBe(1);
    expect(score(report, [{ ...entry, line: 'while (a < b)' }]).equivalent).toBe(0);
  });

  it('counts, in a sample, only the mutants inside its ranges', () => {
    const kept = withinRanges(report, ['server/x.ts:1:4-1:9']).files['server/x.ts']!.mutants;
    expect(kept).toHaveLength(5);
    expect(withinRanges(report, ['server/x.ts:1:4-1:8']).files['server/x.ts']!.mutants).toEqual([]);
    expect(withinRanges(report, ['server/y.ts:1:4-1:9']).files['server/x.ts']!.mutants).toEqual([]);
  });

  it('counts a listed equivalent that was killed, and reports it', () => {
    const result = score(report, [{ ...listed, mutator: 'ConditionalExpression', replacement: 'true' }]);
    expect(result.killedEquivalents.map((m) => m.replacement)).toEqual(['true']);
    expect(result.equivalent).toBe(0);
    expect(result.detected).toBe(2);
  });

  it('keeps a listed equivalent that only timed out set aside, and reports it', () => {
    const result = score(report, [{ ...listed, replacement: 'a >= b' }]);
    expect(result.timedOutEquivalents.map((m) => m.replacement)).toEqual(['a >= b']);
    expect(result.killedEquivalents).toEqual([]);
    expect(result.equivalent).toBe(1);
    expect(result.detected).toBe(1);
    expect(result.timeouts).toBe(0);
  });
});
