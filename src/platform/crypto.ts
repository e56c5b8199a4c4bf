/**
 * Secrets and tokens. Client secrets and tokens are random 256-bit values, not passwords, so a
 * fast keyed hash is the right tool (ARCHITECTURE.md): HMAC-SHA-256 for secrets, SHA-256 for
 * token lookup. Comparisons are constant-time. User passwords use argon2id.
 */
import { createHash, createHmac, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { Algorithm, hash as argonHash, verify as argonVerify } from '@node-rs/argon2';

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

export function keyedHash(key: string | KeyObject, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/** Constant-time equality of two strings (false when lengths differ, without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export function hashPassword(password: string): Promise<string> {
  return argonHash(password, { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // Verify against a fixed hash when there is none, so unknown users take as long as known ones.
  const target = stored ?? DUMMY_HASH;
  try {
    const ok = await argonVerify(target, password);
    return ok && stored !== null;
  } catch {
    return false;
  }
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$2J5pifyV5SPpgClKYJJ/og$e54D0P+j4wh91+PxoJHsOWmPXgvXuuusIqfLEMRhi4g';
