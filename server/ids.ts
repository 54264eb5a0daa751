import { createHash, randomBytes } from 'node:crypto';

/** A secret or identifier with `bytes` bytes of CSPRNG entropy, URL-safe. 16 bytes = 128 bits (ASVS 7.2.3). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
