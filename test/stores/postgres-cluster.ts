import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries installed the Debian way, or null. */
export async function findPostgresBin(): Promise<string | null> {
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => [] as string[]);
  const newest = versions.filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? null : join(root, newest, 'bin');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` account. */
async function serverAccount(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A throwaway PostgreSQL cluster of this test's own (temp data directory, free port on loopback, socket in the temp
 * directory) run as a child process, so a test can stop and restart it without touching the shared server.
 */
export class PrivateCluster {
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly bin: string,
    readonly root: string,
    readonly port: number,
    readonly account: { uid: number; gid: number } | null,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get dataDir(): string {
    return join(this.root, 'data');
  }

  static async create(bin: string): Promise<PrivateCluster> {
    const root = await mkdtemp(join(tmpdir(), 'sessionproof-pg-'));
    const account = await serverAccount();
    if (account) await chown(root, account.uid, account.gid);
    await chmod(root, 0o700);
    const cluster = new PrivateCluster(bin, root, await freePort(), account);
    await run(
      join(bin, 'initdb'),
      ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { ...cluster.#identity(), cwd: root, env: { ...process.env, LC_ALL: 'C' }, timeout: 60_000 },
    );
    return cluster;
  }

  #identity(): { uid?: number; gid?: number } {
    return this.account ?? {};
  }

  /** Starts the server on the same port and data directory every time; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.#child) throw new Error('already running');
    const child = spawn(
      join(this.bin, 'postgres'),
      ['-D', this.dataDir, '-p', String(this.port), '-k', this.root, '-c', 'listen_addresses=127.0.0.1'],
      {
        ...this.#identity(),
        cwd: this.root,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      },
    );
    // If the test process dies without stopping it, the cluster must not outlive it.
    const orphanGuard = () => child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-4000)));
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.#exited.then(() => {
      process.off('exit', orphanGuard);
      if (this.#child === child) this.#child = null;
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (!this.#child || Date.now() > deadline)
          throw new Error(`private PostgreSQL did not start: ${log}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Fast shutdown (SIGINT): clients are disconnected, committed work is checkpointed; resolves when it has exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGINT');
    const killed = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await this.#exited;
    clearTimeout(killed);
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.root, { recursive: true, force: true });
  }
}
