import { storeRoundTrip, type Fault } from './fault.ts';

export const resurrectAfterLogout: Fault = {
  id: 'resurrect-after-logout',
  description: 'a slow request that began before logout saves its copy after the delete',
  symptom: 'logout answers 200, the old cookie still works',
  source: 'connect-redis#328, expressjs/session#632',
  multiInstance: false,
  apply(parts) {
    const { store, identity: resolveIdentity } = parts;
    return {
      ...parts,
      identity: (ctx, next) =>
        resolveIdentity(ctx, async () => {
          const { identity } = ctx.requestSession;
          const loaded = identity?.via === 'cookie' ? identity.session : null;
          const secret = ctx.session?.externalKey;
          await next();
          // A request that ended or replaced its own session does not save it; any other saves the copy it loaded.
          if (!loaded || typeof secret !== 'string' || ctx.session?.externalKey !== secret) return;
          await storeRoundTrip(10);
          if (!(await store.findSession(loaded.id))) await store.createSession(secret, loaded);
        }),
    };
  },
};
