import { existsSync } from 'node:fs';

/**
 * Where store-backed tests get their Redis and PostgreSQL: the URL in REDIS_URL / DATABASE_URL; otherwise a
 * testcontainers container when a Docker engine answers; otherwise the tests skip and say why, unless
 * SESSIONPROOF_REQUIRE_STORES=1 (CI) turns the missing store into a failure.
 */
export type StoreBackend = 'redis' | 'postgres';

export type StoreSource =
  | { kind: 'url'; url: string }
  | { kind: 'container' }
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; reason: string };

export const urlVariable: Record<StoreBackend, 'REDIS_URL' | 'DATABASE_URL'> = {
  redis: 'REDIS_URL',
  postgres: 'DATABASE_URL',
};

/** The selection rule alone, so every branch is unit-tested without a store or a Docker engine. */
export async function chooseStoreSource(
  backend: StoreBackend,
  env: Record<string, string | undefined>,
  dockerAnswers: () => Promise<boolean>,
): Promise<StoreSource> {
  const url = env[urlVariable[backend]];
  if (url) return { kind: 'url', url };
  if (await dockerAnswers()) return { kind: 'container' };
  const reason = `no ${backend}: ${urlVariable[backend]} is unset and no Docker engine answers`;
  return env.SESSIONPROOF_REQUIRE_STORES === '1' ? { kind: 'fail', reason } : { kind: 'skip', reason };
}

/**
 * Cheap first: without DOCKER_HOST or a local socket there is no engine to ask. With one, testcontainers asks it
 * (a ping), which is what starting a container would need anyway.
 */
export async function dockerEngineAnswers(env: Record<string, string | undefined> = process.env): Promise<boolean> {
  const sockets = ['/var/run/docker.sock', `${env.HOME ?? ''}/.docker/run/docker.sock`];
  if (!env.DOCKER_HOST && !sockets.some((path) => existsSync(path))) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export interface ProvisionedStore {
  /** Null when the tests skip; `skipReason` says why. */
  url: string | null;
  skipReason: string | null;
  /** Stops a container this process started; a no-op for a URL from the environment. */
  release(): Promise<void>;
}

/** Resolves a store for a test file; throws (failing the file) when stores are required and none is found. */
export async function provisionStore(
  backend: StoreBackend,
  env: Record<string, string | undefined> = process.env,
  dockerAnswers: () => Promise<boolean> = () => dockerEngineAnswers(env),
): Promise<ProvisionedStore> {
  const source = await chooseStoreSource(backend, env, dockerAnswers);
  switch (source.kind) {
    case 'url':
      return { url: source.url, skipReason: null, release: async () => {} };
    case 'container':
      return startContainer(backend);
    case 'skip':
      console.warn(`[sessionproof] skipping ${backend} store tests: ${source.reason}`);
      return { url: null, skipReason: source.reason, release: async () => {} };
    case 'fail':
      throw new Error(`SESSIONPROOF_REQUIRE_STORES=1 but ${source.reason}`);
  }
}

async function startContainer(backend: StoreBackend): Promise<ProvisionedStore> {
  if (backend === 'redis') {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    return { url: container.getConnectionUrl(), skipReason: null, release: async () => void (await container.stop()) };
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:16-alpine').start();
  return { url: container.getConnectionUri(), skipReason: null, release: async () => void (await container.stop()) };
}
