import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import { benchChecks, propertyCheck, scenarioChecks, zooChecks } from './checks.ts';
import { schemaVersion, type Check, type Machine, type RunMetadata, type RunSummary } from './schema.ts';
import { validateSummary } from './validate.ts';

export type SummaryParts = Omit<RunSummary, 'schemaVersion' | 'verdict' | 'checks'> & {
  /** Checks a producer makes beyond the ones derived from its section (e.g. a run-level health check). */
  extraChecks?: Check[];
};

/**
 * Assembles a summary from the sections a run produced: derives one check per property, per scenario counter with
 * an expectation, per fault (and the clean server) and per bench target and goal, sets the verdict, and validates.
 */
export function buildSummary(parts: SummaryParts): RunSummary {
  const { extraChecks = [], ...sections } = parts;
  const checks = [
    ...(sections.properties ?? []).map(propertyCheck),
    ...(sections.scenarios ?? []).flatMap(scenarioChecks),
    ...(sections.zoo ? zooChecks(sections.zoo) : []),
    ...(sections.bench ? benchChecks(sections.bench) : []),
    ...extraChecks,
  ];
  const verdict = checks.some((c) => c.verdict === 'fail') ? 'fail' : 'pass';
  return validateSummary({ schemaVersion, ...sections, verdict, checks });
}

export function currentMachine(): Machine {
  const cpu = cpus();
  return {
    node: process.version,
    cpus: cpu.length,
    ...(cpu[0] ? { cpuModel: cpu[0].model } : {}),
    platform: platform(),
    arch: arch(),
    totalMemoryBytes: totalmem(),
    loadAverage1m: loadavg()[0] ?? 0,
  };
}

/** The checkout being measured, or null when git or the repository is not there. */
export function currentGit(cwd = process.cwd()): RunMetadata['git'] {
  try {
    const run = (...args: string[]) =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: run('rev-parse', 'HEAD'), dirty: run('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return null;
  }
}

/** A run id that sorts by time and names a folder: `20261122-053443-memory-3f9a`. */
export function newRunId(label: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const safe = label.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return [stamp, safe, randomBytes(2).toString('hex')].filter(Boolean).join('-');
}
