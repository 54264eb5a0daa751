import { parseArgs, type ParseArgsConfig } from 'node:util';
import { findFault, UnknownFaultError } from '../server/faults/index.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's flags, turning a typo into a usage error instead of a silent default. `--help` or `-h` anywhere
 * among the flags (not as an option's value, not after `--`) asks for the usage instead, whatever else is there.
 */
export function parseCommand<T extends Options>(argv: string[], options: T, usage: string) {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  if (tokens.some((token) => token.kind === 'option' && (token.name === 'help' || token.name === 'h')))
    throw new HelpRequest(usage);
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
}

export class UsageError extends Error {}

/** `--help` was asked for: the message is the command's usage, for stdout and exit status 0. */
export class HelpRequest extends Error {}

export function integerOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return parsed;
}

/** The `--fault` ids, each checked against the catalogue so a typo lists the known faults instead of starting. */
export function faultOption(ids: readonly string[]): string[] {
  for (const id of ids) {
    try {
      findFault(id);
    } catch (error) {
      if (error instanceof UnknownFaultError) throw new UsageError(error.message);
      throw error;
    }
  }
  return [...ids];
}
