import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../bin/sessionproof.js', import.meta.url));

export interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `sessionproof ...args` to completion; `env` is added to this process's environment. */
export function sessionproof(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** Starts `sessionproof ...args` and leaves it running; the caller stops it. */
export function startSessionproof(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
