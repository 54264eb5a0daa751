import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { formatDuration, parseDuration } from '../../cli/duration.ts';
import { timeoutOverrides, timeoutUsage } from '../../cli/timeouts.ts';

const bin = fileURLToPath(new URL('../../bin/sessionproof.js', import.meta.url));

describe('durations', () => {
  it('read milliseconds or a number with a unit', () => {
    expect(parseDuration('900000')).toBe(900_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
  });

  it('refuse anything else', () => {
    for (const text of ['', '15x', '1.5h', '-5m', 'm', '15 m', '1h30m', '9'.repeat(20)])
      expect(parseDuration(text), text).toBeNull();
  });

  it('print as the shortest exact spelling', () => {
    expect([0, 250, 1000, 10_000, 900_000, 9_600_000, 86_400_000].map(formatDuration)).toEqual([
      '0ms',
      '250ms',
      '1s',
      '10s',
      '15m',
      '160m',
      '1d',
    ]);
  });
});

describe('serve timeout flags', () => {
  it('set the config timeouts they name, and only those', () => {
    expect(
      timeoutOverrides({
        'idle-timeout': '20m',
        'absolute-timeout': '2h',
        'guest-idle-timeout': '86400000',
        'access-token-lifetime': '5m',
        'refresh-grace': '0',
        'touch-window': '30s',
      }),
    ).toEqual({
      idleTimeoutMs: 1_200_000,
      absoluteTimeoutMs: 7_200_000,
      guestIdleTimeoutMs: 86_400_000,
      accessTokenMs: 300_000,
      refreshGraceMs: 0,
      touchWindowMs: 30_000,
    });
    expect(timeoutOverrides({ 'touch-window': '0' })).toEqual({ touchWindowMs: 0 });
    expect(timeoutOverrides({ 'access-token-lifetime': '30s', store: 'memory' })).toEqual({ accessTokenMs: 30_000 });
    expect(timeoutOverrides({})).toEqual({});
  });

  it('are usage errors when malformed, zero (but the grace window) or beyond ten years', () => {
    expect(() => timeoutOverrides({ 'idle-timeout': '15x' })).toThrow(UsageError);
    expect(() => timeoutOverrides({ 'idle-timeout': '15x' })).toThrow(/--idle-timeout .*not "15x"/);
    expect(() => timeoutOverrides({ 'access-token-lifetime': '0' })).toThrow(/--access-token-lifetime/);
    expect(() => timeoutOverrides({ 'absolute-timeout': '3651d' })).toThrow(/--absolute-timeout/);
    expect(() => timeoutOverrides({ 'guest-idle-timeout': '-1h' })).toThrow(/--guest-idle-timeout/);
  });

  it('refuse a touch window as long as an idle timeout, which would end sessions in steady use', () => {
    expect(() => timeoutOverrides({ 'touch-window': '15m' })).toThrow(/--touch-window must be shorter .*15m/);
    expect(() => timeoutOverrides({ 'idle-timeout': '1m', 'touch-window': '1m' })).toThrow(/shorter is 1m/);
    expect(timeoutOverrides({ 'idle-timeout': '1m', 'touch-window': '59s' })).toMatchObject({ touchWindowMs: 59_000 });
  });

  it('show their defaults in the usage text', () => {
    expect(timeoutUsage).toContain('[--idle-timeout 15m] [--absolute-timeout 160m] [--guest-idle-timeout 1d]');
    expect(timeoutUsage).toContain('[--access-token-lifetime 30m] [--refresh-grace 10s] [--touch-window 9s]');
  });

  it('stop `sessionproof serve` with exit code 2 and the reason before it opens a store', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [
        bin,
        'serve',
        '--store',
        'redis://127.0.0.1:1',
        '--refresh-grace',
        '10x',
      ]);
      let stderr = '';
      child.stderr!.on('data', (chunk: string) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(stderr).toMatch(/--refresh-grace must be a duration/);
    expect(code).toBe(2);
  }, 30_000);
});
