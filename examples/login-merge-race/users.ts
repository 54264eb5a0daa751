import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

interface User {
  salt: Buffer;
  hash: Buffer;
}

/** Accounts live in memory, passwords hashed with scrypt: the example is about carts at login, not a users table. */
export class Users {
  readonly #byEmail = new Map<string, User>();

  /** Resolves to false when the email is taken. */
  async register(email: string, password: string): Promise<boolean> {
    if (this.#byEmail.has(email)) return false;
    const salt = randomBytes(16);
    const hash = await scryptAsync(password, salt, 32);
    // checked again after the await: two registrations of one email may have raced past the first check
    if (this.#byEmail.has(email)) return false;
    this.#byEmail.set(email, { salt, hash });
    return true;
  }

  /** Takes as long as a real password check (scrypt, tens of milliseconds): the await the login's race spans. */
  async verify(email: string, password: string): Promise<boolean> {
    const user = this.#byEmail.get(email);
    if (!user) return false;
    const hash = await scryptAsync(password, user.salt, 32);
    return timingSafeEqual(hash, user.hash);
  }
}
