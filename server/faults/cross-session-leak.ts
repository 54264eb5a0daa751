import type { Identity } from '../context.ts';
import { storeRoundTrip, type Fault } from './fault.ts';

export const crossSessionLeak: Fault = {
  id: 'cross-session-leak',
  description: 'the current session is held in module scope across awaits',
  symptom: "under concurrency a client receives another client's cart",
  source: 'koa-session2 PR#12, oak_sessions#19',
  multiInstance: false,
  apply(parts) {
    const resolveIdentity = parts.identity;
    let current: Identity | null = null;
    return {
      ...parts,
      identity: (ctx, next) =>
        resolveIdentity(ctx, async () => {
          current = ctx.requestSession.identity;
          await storeRoundTrip();
          ctx.requestSession.identity = current;
          await next();
        }),
    };
  },
};
