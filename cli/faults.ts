import { faults } from '../server/faults/index.ts';
import { parseCommand, UsageError } from './args.ts';

const usage = `sessionproof faults
  Lists the catalogued production bugs the reference server can be switched into: each id (for --fault and
  zoo --only), what the server then does wrong, and where the bug was seen.`;

/** Lists the catalogued faults: id, what the server does wrong, and where the bug was seen. */
export async function listFaults(argv: string[]): Promise<void> {
  const { positionals } = parseCommand(argv, {}, usage);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"\n\n${usage}`);
  const width = Math.max(...faults.map((fault) => fault.id.length));
  for (const fault of faults) {
    const scope = fault.multiInstance ? ' [two instances]' : '';
    console.log(`${fault.id.padEnd(width)}  ${fault.description}${scope}`);
    console.log(`${''.padEnd(width)}  source: ${fault.source}`);
  }
}
