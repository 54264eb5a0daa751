import type { Fault } from './fault.ts';

export const noRotateOnLogin: Fault = {
  id: 'no-rotate-on-login',
  description: 'login keeps the pre-login secret and id',
  symptom: 'session fixation: the pre-login cookie is signed in',
  source: 'koajs/session PR#74 and PR#221, lets-chat#159',
  multiInstance: false,
  apply(parts) {
    const { store, lifecycle } = parts;
    return {
      ...parts,
      lifecycle: {
        ...lifecycle,
        async rotate(ctx, record) {
          const { identity } = ctx.requestSession;
          const previous = identity?.via === 'cookie' ? identity.session : null;
          const secret = ctx.session?.externalKey;
          if (!previous || typeof secret !== 'string') return lifecycle.rotate(ctx, record);
          const kept = { ...record, id: previous.id };
          await store.endSession(previous.id);
          await store.createSession(secret, kept);
          return (ctx.requestSession.identity = { via: 'cookie', session: kept });
        },
      },
    };
  },
};
