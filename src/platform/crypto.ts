/**
 * Secrets and tokens. Client secrets and tokens are random 256-bit values, not passwords, so a
 * fast keyed hash is the right tool (ARCHITECTURE.md): HMAC-SHA-256 for secrets, SHA-256 for
 * token lookup. Comparisons are constant-time. User passwords use argon2id.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
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

/**
 * Seals a secret the server must be able to read again (a webhook signing secret) with
 * AES-256-GCM under a server key: `v1.<iv>.<tag>.<ciphertext>`, base64url.
 */
export function sealSecret(rawKey: string, plaintext: string): string {
  const key = createHash('sha256').update(`seal:${rawKey}`).digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(
    '.',
  );
}

export function openSecret(rawKey: string, sealed: string): string {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
  const key = createHash('sha256').update(`seal:${rawKey}`).digest();
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
