import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { jwtVerify, SignJWT } from 'jose';
import type pg from 'pg';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${(await scryptAsync(password, salt, 32)).toString('hex')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [salt = '', hash = ''] = stored.split(':');
  const actual = await scryptAsync(password, Buffer.from(salt, 'hex'), 32);
  return timingSafeEqual(actual, Buffer.from(hash, 'hex'));
}

export class AccessTokens {
  readonly #key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    // HS256 wants a key at least as long as its hash (RFC 7518, section 3.2).
    if (Buffer.byteLength(secret) < 32) throw new Error('JWT_SECRET must be at least 32 bytes');
    this.#key = new TextEncoder().encode(secret);
  }

  sign(userId: string): Promise<string> {
    return new SignJWT()
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlSeconds)
      .sign(this.#key);
  }

  /** The user id in a valid, unexpired token; throws otherwise. Nothing is looked up: the token is stateless. */
  async verify(token: string): Promise<string> {
    const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'] });
    if (!payload.sub) throw new Error('token without sub');
    return payload.sub;
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

interface RefreshRow {
  family_id: string;
  user_id: string;
  used: boolean;
  expires_at: Date;
  revoked_at: Date | null;
}

export class RefreshTokens {
  constructor(
    private readonly pool: pg.Pool,
    readonly ttlSeconds: number,
  ) {}

  /** A new login: a new family and its first token. */
  async issue(userId: string): Promise<string> {
    const { rows } = await this.pool.query<{ id: string }>(
      'INSERT INTO refresh_families (user_id) VALUES ($1) RETURNING id',
      [userId],
    );
    return this.#insert(rows[0]!.id);
  }

  /**
   * Rotation: every refresh token works once. A token presented again after it was used means it was copied, so
   * the whole family is revoked (refresh token reuse detection) and the client must sign in again.
   */
  async rotate(token: string): Promise<{ userId: string; refreshToken: string } | null> {
    const { rows } = await this.pool.query<RefreshRow>(
      `SELECT t.family_id, f.user_id, t.used, t.expires_at, f.revoked_at
         FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
        WHERE t.token_hash = $1`,
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row || row.revoked_at !== null || row.expires_at <= new Date()) return null;
    if (row.used) {
      await this.revokeFamily(row.family_id);
      return null;
    }
    await this.pool.query('UPDATE refresh_tokens SET used = true WHERE token_hash = $1', [hashToken(token)]);
    return { userId: row.user_id, refreshToken: await this.#insert(row.family_id) };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.pool.query('UPDATE refresh_families SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [
      familyId,
    ]);
  }

  /** Logout: the family of this token (any of its generations) is revoked. Unknown tokens are ignored. */
  async revokeByToken(token: string): Promise<void> {
    await this.pool.query(
      `UPDATE refresh_families SET revoked_at = now()
        WHERE id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL`,
      [hashToken(token)],
    );
  }

  /** Logout everywhere: every family of the user. */
  async revokeUser(userId: string): Promise<void> {
    await this.pool.query('UPDATE refresh_families SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [
      userId,
    ]);
  }

  async #insert(familyId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.pool.query(
      `INSERT INTO refresh_tokens (token_hash, family_id, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [hashToken(token), familyId, this.ttlSeconds],
    );
    return token;
  }
}
