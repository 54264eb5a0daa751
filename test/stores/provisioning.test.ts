import { describe, expect, it, vi } from 'vitest';
import { chooseStoreSource, provisionStore, type StoreBackend } from '../support/stores.ts';

const answers = (value: boolean) => vi.fn(async () => value);

describe.each<[StoreBackend, string, string]>([
  ['redis', 'REDIS_URL', 'redis://127.0.0.1:6399'],
  ['postgres', 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5999/test'],
])('store provisioning for %s', (backend, variable, url) => {
  it(`uses ${variable} when set, without asking Docker`, async () => {
    const docker = answers(true);
    expect(await chooseStoreSource(backend, { [variable]: url, SESSIONPROOF_REQUIRE_STORES: '1' }, docker)).toEqual({
      kind: 'url',
      url,
    });
    expect(docker).not.toHaveBeenCalled();
  });

  it('ignores the other store’s variable', async () => {
    const other = variable === 'REDIS_URL' ? 'DATABASE_URL' : 'REDIS_URL';
    expect(await chooseStoreSource(backend, { [other]: url }, answers(false))).toMatchObject({ kind: 'skip' });
  });

  it('treats an empty variable as unset', async () => {
    expect(await chooseStoreSource(backend, { [variable]: '' }, answers(true))).toEqual({ kind: 'container' });
  });

  it('starts a container when the variable is unset and a Docker engine answers', async () => {
    const docker = answers(true);
    expect(await chooseStoreSource(backend, {}, docker)).toEqual({ kind: 'container' });
    expect(docker).toHaveBeenCalledOnce();
  });

  it('skips with a reason naming the variable when there is neither', async () => {
    const source = await chooseStoreSource(backend, {}, answers(false));
    expect(source.kind).toBe('skip');
    expect(source.kind === 'skip' && source.reason).toContain(variable);
  });

  it('fails instead of skipping when SESSIONPROOF_REQUIRE_STORES=1', async () => {
    const source = await chooseStoreSource(backend, { SESSIONPROOF_REQUIRE_STORES: '1' }, answers(false));
    expect(source.kind).toBe('fail');
    expect(source.kind === 'fail' && source.reason).toContain(variable);
  });

  it('only "1" requires stores', async () => {
    expect(await chooseStoreSource(backend, { SESSIONPROOF_REQUIRE_STORES: '0' }, answers(false))).toMatchObject({
      kind: 'skip',
    });
  });

  it('provisionStore hands out the URL, skips visibly, or throws when required', async () => {
    const fromEnv = await provisionStore(backend, { [variable]: url }, answers(false));
    expect(fromEnv.url).toBe(url);
    await fromEnv.release();

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const skipped = await provisionStore(backend, {}, answers(false));
    expect(skipped.url).toBeNull();
    expect(skipped.skipReason).toContain(variable);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`skipping ${backend} store tests`));
    warn.mockRestore();

    await expect(provisionStore(backend, { SESSIONPROOF_REQUIRE_STORES: '1' }, answers(false))).rejects.toThrow(
      /SESSIONPROOF_REQUIRE_STORES=1/,
    );
  });
});
