import { randomToken } from '../ids.ts';
import type { Fault } from './fault.ts';

export const rotateWithoutCookie: Fault = {
  id: 'rotate-without-cookie',
  description: 'login rotates the session in the store but sends no new cookie',
  symptom: 'right after login the client is a guest again',
  source: 'seed (session cookie not updating)',
  multiInstance: false,
  apply(parts) {
    const { store } = parts;
    return {
      ...parts,
      lifecycle: {
        ...parts.lifecycle,
        async rotate(ctx, record) {
          await store.createSession(randomToken(32), record);
          const previous = ctx.requestSession.identity;
          if (previous?.via === 'cookie') await store.endSession(previous.session.id);
          return (ctx.requestSession.identity = { via: 'cookie', session: record });
        },
      },
    };
  },
};
