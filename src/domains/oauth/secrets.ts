/**
 * Client secrets: random 256-bit values stored as HMAC-SHA-256 under a server key, compared in
 * constant time. The key lives in the store (server_keys) so every process shares it; it is
 * created on first use.
 */
import { createSecretKey } from 'node:crypto';
import { keyedHash, randomToken, safeEqual } from '../../platform/crypto.ts';
import { serverKey } from '../../platform/server-keys.ts';
import type { Db } from '../../storage/db.ts';

const KEY_NAME = 'client-secret-hmac';

export const loadSecretKey = (db: Db, now: Date): Promise<string> => serverKey(db, KEY_NAME, now);

export function createSecrets(rawKey: string) {
  const key = createSecretKey(Buffer.from(rawKey));
  return {
    generate: () => randomToken(32),
    hash: (secret: string) => keyedHash(key, secret),
    verify: (stored: string | null, presented: string) => safeEqual(stored ?? '', keyedHash(key, presented)),
    /** Binds a CSRF token to a console session token. */
    csrfFor: (sessionToken: string) => keyedHash(key, `csrf:${sessionToken}`),
  };
}

export type Secrets = ReturnType<typeof createSecrets>;
