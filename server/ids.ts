import { createHash, randomFillSync } from 'node:crypto';

/**
 * CSPRNG bytes are drawn a few kilobytes at a time and each byte is handed out once (as node's own randomUUID
 * does): one randomBytes call costs microseconds, and the server mints a token or id on most requests.
 */
const entropy = Buffer.alloc(4096);
let used = entropy.length;

/** A secret or identifier with `bytes` bytes of CSPRNG entropy, URL-safe. 16 bytes = 128 bits (ASVS 7.2.3). */
export function randomToken(bytes = 16): string {
  if (bytes > entropy.length) return randomFillSync(Buffer.alloc(bytes)).toString('base64url');
  if (used + bytes > entropy.length) {
    randomFillSync(entropy);
    used = 0;
  }
  const token = entropy.toString('base64url', used, used + bytes);
  used += bytes;
  return token;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
