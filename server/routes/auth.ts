import { fail } from '../errors.ts';
import { cookieNames, requireUser } from '../identity.ts';
import { randomToken } from '../ids.ts';
import { hashPassword, verifyPassword } from '../passwords.ts';
import { rotateRefreshToken } from '../refresh.ts';
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

    const previous = ctx.state.identity?.via === 'cookie' ? ctx.state.identity.session : null;
    if (previous && previous.userId === null) {
      await store.mergeCarts(
        `guest:${previous.id}`,
        `user:${user.id}`,
        randomToken(),
        config.mergeStrategy,
        config.maxLineQuantity,
      );
    }
    const now = clock.now();
    const { session } = await ctx.services.lifecycle.rotate(ctx, {
      id: randomToken(),
      userId: user.id,
      csrfToken: randomToken(),
      createdAt: now,
      lastSeenAt: now,
      idleTimeoutMs: config.idleTimeoutMs,
      absoluteExpiresAt: now + config.absoluteTimeoutMs,
    });
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
    const identity = ctx.state.identity;
    if (identity?.via === 'bearer') await ctx.services.store.endSession(identity.session.id);
    if (identity?.via !== 'bearer' || cookieNames(ctx, identity.session.id)) ctx.services.lifecycle.end(ctx);
    ctx.status = 204;
  });

  router.post('/auth/logout-all', async (ctx) => {
    const { session } = requireUser(ctx);
    await ctx.services.store.endUserSessions(session.userId);
    if (ctx.session?.['userId'] === session.userId) ctx.services.lifecycle.end(ctx);
    ctx.status = 204;
  });
}
