import { faults } from '../server/faults/index.ts';

/** Lists the catalogued faults: id, what the server does wrong, and where the bug was seen. */
export async function listFaults(): Promise<void> {
  const width = Math.max(...faults.map((fault) => fault.id.length));
  for (const fault of faults) {
    const scope = fault.multiInstance ? ' [two instances]' : '';
    console.log(`${fault.id.padEnd(width)}  ${fault.description}${scope}`);
    console.log(`${''.padEnd(width)}  source: ${fault.source}`);
  }
}
