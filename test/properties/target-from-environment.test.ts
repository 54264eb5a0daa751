/** SESSIONPROOF_PROPS_STORE puts the in-process reference server of `npx vitest run properties/` on another store. */
import { describe, expect, it } from 'vitest';
import { targetFromEnvironment } from '../../properties/targets.ts';
import { provisionStore, type StoreBackend } from '../support/stores.ts';

describe('targetFromEnvironment', () => {
  it('runs the in-process server on memory by default', async () => {
    for (const env of [{}, { SESSIONPROOF_PROPS_STORE: 'memory' }]) {
      const target = await targetFromEnvironment(env);
      await target.close();
      expect(target.label).toBe('in-process (memory, 2 instances)');
    }
  });

  it('refuses a store it cannot open', async () => {
    await expect(targetFromEnvironment({ SESSIONPROOF_PROPS_STORE: 'mysql://127.0.0.1' })).rejects.toThrow(
      /unsupported store/,
    );
  });

  for (const backend of ['redis', 'postgres'] as StoreBackend[]) {
    it(`runs it on ${backend} when SESSIONPROOF_PROPS_STORE names a URL`, async (context) => {
      const provisioned = await provisionStore(backend);
      if (provisioned.url === null) return context.skip(provisioned.skipReason!);
      try {
        const target = await targetFromEnvironment({ SESSIONPROOF_PROPS_STORE: provisioned.url });
        await target.close();
        expect(target.label).toBe(`in-process (${backend}, 2 instances)`);
        expect(target.discovery?.contract).toBe(1);
      } finally {
        await provisioned.release();
      }
    });
  }
});
