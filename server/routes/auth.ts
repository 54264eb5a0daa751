import { fail } from '../errors.ts';
import { randomToken } from '../ids.ts';
import { hashPassword, verifyPassword } from '../passwords.ts';
import { rotateRefreshToken } from '../refresh.ts';
import { cartOwnerOf } from '../stores/store.ts';
import { objectBody, stringField } from '../validate.ts';
import { sessionView, userView } from '../views.ts';
import type { AppRouter } from './router.ts';

export function authRoutes(router: AppRouter): void {
  let unknownUserHash: Promise<string> | undefined;

  router.post('/auth/login', async (ctx) => {
    const { store, clock, config, tokens } = ctx.services;
    const body = objectBody(ctx.request.body);
    const email = stringField(body, 'email').toLowerCase();
    const password = stringField(body, 'password', 1024);
    const user = await store.findUserByEmail(email);
    // An unknown email costs one hash too, so response time does not reveal which emails exist.
    unknownUserHash ??= hashPassword(randomToken(), config.passwordCost);
    const passwordMatches = await verifyPassword(password, user?.passwordHash ?? (await unknownUserHash));
    if (!user || !passwordMatches) fail('AUTH_INVALID_CREDENTIALS');

    const now = clock.now();
    const signedIn = {
      id: randomToken(),
      userId: user.id,
      csrfToken: randomToken(),
      createdAt: now,
      lastSeenAt: now,
      idleTimeoutMs: config.idleTimeoutMs,
      absoluteExpiresAt: now + config.absoluteTimeoutMs,
    };
    const previous = ctx.requestSession.identity;
    if (previous?.via === 'cookie' && previous.session.userId === null) {
      await store.mergeCarts(
        cartOwnerOf(previous.session),
        cartOwnerOf(signedIn),
        randomToken(),
        config.mergeStrategy,
        config.maxLineQuantity,
      );
    }
    const { session } = await ctx.requestSession.rotate(signedIn);
    const familyId = randomToken();
    await store.createRefreshFamily({
      id: familyId,
      sessionId: session.id,
      userId: user.id,
      generation: 0,
      rotatedAt: now,
    });
    ctx.body = {
      user: userView(user),
      session: sessionView(session, user),
      ...(await tokens.issueAccess({ userId: user.id, sessionId: session.id })),
      refreshToken: tokens.refreshToken(familyId, 0),
    };
  });

  router.post('/auth/refresh', async (ctx) => {
    const { tokens } = ctx.services;
    const presented = stringField(objectBody(ctx.request.body), 'refreshToken', 512);
    const parsed = tokens.parseRefreshToken(presented) ?? fail('REFRESH_TOKEN_INVALID');
    const { family, generation } = await rotateRefreshToken(ctx.services, parsed.familyId, parsed.generation);
    ctx.body = {
      ...(await tokens.issueAccess({ userId: family.userId, sessionId: family.sessionId })),
      refreshToken: tokens.refreshToken(family.id, generation),
    };
  });

  router.post('/auth/logout', async (ctx) => {
    const { requestSession } = ctx;
    const identity = requestSession.identity;
    if (identity?.via === 'bearer') await ctx.services.store.endSession(identity.session.id);
    if (identity?.via !== 'bearer' || requestSession.cookieNames(identity.session.id)) requestSession.end();
    ctx.status = 204;
  });

  router.post('/auth/logout-all', async (ctx) => {
    const { requestSession } = ctx;
    const { session } = requestSession.requireUser();
    await ctx.services.store.endUserSessions(session.userId);
    if (requestSession.cookieSignedInAs(session.userId)) requestSession.end();
    ctx.status = 204;
  });
}
