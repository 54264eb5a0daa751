import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export interface User {
  username: string;
  salt: Buffer;
  hash: Buffer;
}

/** Accounts live in memory: the example is about sessions and carts, not a users table. */
export class Users {
  readonly #byName = new Map<string, User>();

  /** Resolves to false when the name is taken. */
  async register(username: string, password: string): Promise<boolean> {
    if (this.#byName.has(username)) return false;
    const salt = randomBytes(16);
    const hash = await scryptAsync(password, salt, 32);
    // Checked again after the await: two registrations of one name may have raced past the first check.
    if (this.#byName.has(username)) return false;
    this.#byName.set(username, { username, salt, hash });
    return true;
  }

  async verify(username: string, password: string): Promise<User | undefined> {
    const user = this.#byName.get(username);
    if (!user) return undefined;
    const hash = await scryptAsync(password, user.salt, 32);
    return timingSafeEqual(hash, user.hash) ? user : undefined;
  }
}

export const seedUsers = [
  { username: 'alice', password: 'wonderland' },
  { username: 'bob', password: 'builder' },
];
