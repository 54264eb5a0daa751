import type { Fault } from './fault.ts';

export const logoutKeepsServerSession: Fault = {
  id: 'logout-keeps-server-session',
  description: 'logout clears the cookie but not the server-side record',
  symptom: 'replaying the old cookie works after logout',
  source: 'connect-redis#252, Django docs on cookie sessions',
  multiInstance: false,
  apply(parts, { config }) {
    return {
      ...parts,
      lifecycle: {
        ...parts.lifecycle,
        end(ctx) {
          ctx.cookies.set(config.cookieName, '', {
            signed: parts.signedCookies,
            expires: new Date(0),
            httpOnly: true,
            sameSite: 'lax',
            secure: !config.dev,
          });
        },
      },
    };
  },
};
