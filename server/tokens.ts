import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from './clock.ts';
import { HttpError } from './errors.ts';
import { randomToken } from './ids.ts';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  accessTokenExpiresAt: number;
}

/**
 * Access tokens are HS256 JWTs (`sub`, `sid`, `jti`, `exp`) checked against the server's clock. Refresh tokens are
 * opaque: `rt1.<family>.<generation>.<mac>`. The MAC makes each generation's token unforgeable, and deriving it
 * (rather than storing it) lets the grace window hand out the same successor again without keeping tokens at rest.
 */
export class TokenService {
  readonly #key: Uint8Array;
  readonly #refreshKey: Buffer;

  constructor(
    secret: string,
    readonly accessTokenMs: number,
    readonly clock: Clock,
  ) {
    this.#key = new TextEncoder().encode(secret);
    this.#refreshKey = createHmac('sha256', secret).update('refresh-token-key').digest();
  }

  async issueAccess(claims: AccessClaims): Promise<IssuedAccessToken> {
    const now = this.clock.now();
    const accessTokenExpiresAt = now + this.accessTokenMs;
    const accessToken = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setJti(randomToken())
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(accessTokenExpiresAt / 1000))
      .sign(this.#key);
    return { accessToken, accessTokenExpiresAt: Math.floor(accessTokenExpiresAt / 1000) * 1000 };
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['sub', 'sid', 'jti', 'exp'],
      });
      if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw new HttpError('AUTH_TOKEN_INVALID');
      return { userId: payload.sub, sessionId: payload.sid };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new HttpError('AUTH_TOKEN_EXPIRED');
      throw new HttpError('AUTH_TOKEN_INVALID');
    }
  }

  refreshToken(familyId: string, generation: number): string {
    return `rt1.${familyId}.${generation}.${this.#mac(familyId, generation)}`;
  }

  /** The family and generation a refresh token names, or null if it is not one this server made. */
  parseRefreshToken(token: string): { familyId: string; generation: number } | null {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== 'rt1' || !/^\d{1,9}$/.test(parts[2]!)) return null;
    const familyId = parts[1]!;
    const generation = Number(parts[2]);
    const expected = Buffer.from(this.#mac(familyId, generation));
    const actual = Buffer.from(parts[3]!);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
    return { familyId, generation };
  }

  #mac(familyId: string, generation: number): string {
    return createHmac('sha256', this.#refreshKey).update(`${familyId}.${generation}`).digest('base64url');
  }
}
