import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { compareBudgetsOption } from '../../cli/load.ts';
import { cleanupUnderLoad, comparisonShare } from '../../scenarios/definitions/cleanup-under-load.ts';

describe('--compare-budgets', () => {
  it('reads a list, repeats with x, and takes "" as none', () => {
    expect(compareBudgetsOption(undefined)).toBeUndefined();
    expect(compareBudgetsOption('')).toEqual([]);
    expect(compareBudgetsOption('5, 25,100')).toEqual([5, 25, 100]);
    expect(compareBudgetsOption('5x3,100')).toEqual([5, 5, 5, 100]);
  });

  it('refuses what is not a percentage or repeats too often, saying what it takes', () => {
    for (const bad of ['0', '101', '5.5', 'five', '5x0', '5x21', '5,,6', 'x3']) {
      expect(() => compareBudgetsOption(bad), bad).toThrow(UsageError);
    }
    expect(() => compareBudgetsOption('5x0')).toThrow('each repeated up to 20 times with x (e.g. 5,25,100 or 5x8)');
  });
});

describe('comparison groups', () => {
  const defaults = cleanupUnderLoad.defaults;

  it('take a fifth of the expired sessions each, up to four of them', () => {
    for (const groups of [1, 2, 3, 4]) expect(comparisonShare(groups, defaults)).toBeCloseTo(defaults.compareShare, 10);
    expect(comparisonShare(0, defaults)).toBe(0);
  });

  it('share what the warm-up group and the main sweep leave when there are more', () => {
    for (const groups of [5, 8, 20]) {
      const share = comparisonShare(groups, defaults);
      expect(share).toBeLessThan(defaults.compareShare);
      expect(defaults.warmupSweepShare + groups * share + defaults.minMainShare).toBeCloseTo(1, 10);
    }
  });
});
