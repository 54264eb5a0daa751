import { describe, expect, it } from 'vitest';
import { sessionproof } from './spawn.ts';

const top = await sessionproof(['--help']);
/** The commands `sessionproof --help` lists, so a command added later is held to the same rule. */
const commands = (top.stdout.split('\ncommands:\n')[1] ?? '')
  .split('\n')
  .flatMap((line) => /^ {2}(\S+) /.exec(line)?.[1] ?? []);

describe('sessionproof --help', () => {
  it('prints the command list to stdout and exits 0', () => {
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(/^usage: sessionproof <command>/);
    expect(commands).toEqual(expect.arrayContaining(['run', 'serve', 'props', 'faults', 'zoo', 'bench', 'load']));
    expect(commands).toEqual(expect.arrayContaining(['report', 'gate']));
  });
});

describe('sessionproof <command> --help', () => {
  for (const command of commands) {
    it(`${command}: its usage on stdout, nothing on stderr, exit 0`, { timeout: 60_000 }, async () => {
      const { code, stdout, stderr } = await sessionproof([command, '--help']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^sessionproof ${command}\\b`));
    });
  }

  it('takes -h too, and wins over other flags and a scenario name', { timeout: 60_000 }, async () => {
    for (const args of [
      ['load', 'cart-contention', '-h'],
      ['gate', '--no-such-flag', '--help'],
    ]) {
      const { code, stdout, stderr } = await sessionproof(args);
      expect(stderr, args.join(' ')).toBe('');
      expect(code, args.join(' ')).toBe(0);
      expect(stdout).toMatch(new RegExp(`^sessionproof ${args[0]}\\b`));
    }
  });

  it('is still a usage error when --help is an option value or comes after --', { timeout: 60_000 }, async () => {
    const afterDashes = await sessionproof(['faults', '--', '--help']);
    expect(afterDashes.code).toBe(2);
    expect(afterDashes.stderr).toContain('unexpected argument "--help"');
    expect(afterDashes.stdout).toBe('');
    const asValue = await sessionproof(['report', '--from=--help']);
    expect(asValue.code).toBe(2);
    expect(asValue.stderr).toMatch(/^cannot read --help/);
  });
});
