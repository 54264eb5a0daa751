import type { Calibration } from '../../reports/schema.ts';
import { servers } from '../../scenarios/bench/targets.ts';
import { startChildServer } from '../../scenarios/load/child-server.ts';
import { drive } from '../../scenarios/load/drive.ts';

/**
 * Measures a bare node:http server (the bench's calibration target) with the same load generator the scenarios use.
 * The gate divides scenario throughput and p99 by these figures, so a run on a slower or busier machine compares
 * with a baseline recorded elsewhere.
 */
export async function calibrate(options: { durationSeconds: number; connections: number }): Promise<Calibration> {
  const child = await startChildServer({ module: servers.bareNode.module });
  try {
    const driven = await drive({
      url: child.url,
      load: { model: 'closed', connections: options.connections },
      durationSeconds: options.durationSeconds,
      requestsFor: () => [{ method: 'GET', path: '/' }],
    }).result;
    return {
      requestsPerSecond: driven.requestsPerSecond,
      latencyMs: driven.latencyMs.uncorrected,
      connections: options.connections,
      durationSeconds: driven.durationSeconds,
    };
  } finally {
    await child.stop();
  }
}
