import { expect, it } from 'vitest';
import { fmt } from '../../reports/format.ts';

it('shows scenario figures in units a person reads: MiB for bytes, ms for sub-second durations', () => {
  expect(fmt.figure(-13_242_368, 'bytes')).toBe('-12.6 MiB');
  expect(fmt.figure(104_857_600, 'bytes')).toBe('100.0 MiB');
  expect(fmt.figure(0.045, 's')).toBe('45.0 ms');
  expect(fmt.figure(2.77, 's')).toBe('2.8 s');
  expect(fmt.figure(224_090, 'sessions/s')).toBe('224090 sessions/s');
});
