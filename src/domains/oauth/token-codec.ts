/**
 * Self-verifying access tokens (docs/decisions/0002-self-verifying-tokens.md):
 * `gh1.<key id>.<claims, base64url JSON>.<HMAC-SHA-256, base64url>`. Issuing needs no store
 * write; validating needs no store read beyond the revocation state, cached per token for at
 * most a second. Keys live in server_keys (`token-mac:<id>`, sealed); the newest signs, all verify,
 * so a new key rotates in without logging anyone out. `rotate-keys` adds one; every process
 * reloads the set within seconds (OAuthService.refreshKeys).
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { safeEqual } from '../../platform/crypto.ts';
import { addServerKey, deleteServerKey, serverKeysNamed } from '../../platform/server-keys.ts';
import type { Db } from '../../storage/db.ts';

export interface TokenClaims {
  /** token id */
  i: string;
  /** organization the token acts in */
  o: string;
  /** OAuth client */
  c: string;
  /** user, or null for a client-credentials token without a service user */
  u: string | null;
  /** scopes */
  s: string[];
  /** issued at, epoch seconds */
  t: number;
  /** expires at, epoch seconds */
  e: number;
  /** authorized application the token was issued under */
  a: string | null;
  /** code grant family */
  g: string | null;
}

const PREFIX = 'gh1';
const KEY_PREFIX = 'token-mac:';

export async function loadTokenKeys(db: Db, now: Date): Promise<Map<string, string>> {
  let rows = await serverKeysNamed(db, KEY_PREFIX);
  if (rows.length === 0) {
    await addServerKey(db, `${KEY_PREFIX}1`, now);
    rows = await serverKeysNamed(db, KEY_PREFIX);
  }
  // Ordered by number: the newest key signs.
  rows.sort((a, b) => keyNumber(a.name) - keyNumber(b.name));
  return new Map(rows.map((r) => [r.name.slice(KEY_PREFIX.length), r.value]));
}

const keyNumber = (name: string) => Number.parseInt(name.slice(KEY_PREFIX.length), 10) || 0;

/**
 * `rotate-keys`: a new token key signs from now on; the old ones keep verifying until every
 * token they signed has expired (the longest lifetime after the next key replaced them), then
 * they are deleted. Answers the new key id.
 */
export async function rotateTokenKey(db: Db, now: Date, maxTokenSeconds: number): Promise<string> {
  const keys = await serverKeysNamed(db, KEY_PREFIX);
  keys.sort((a, b) => keyNumber(a.name) - keyNumber(b.name));
  const next = (keys.length ? keyNumber(keys.at(-1)!.name) : 0) + 1;
  await addServerKey(db, `${KEY_PREFIX}${next}`, now);
  // A key stopped signing when its successor was created.
  for (let i = 0; i + 1 < keys.length; i++) {
    const retiredAt = Date.parse(keys[i + 1].created_at);
    if (retiredAt + maxTokenSeconds * 1000 < now.getTime()) await deleteServerKey(db, keys[i].name);
  }
  return String(next);
}

export function createTokenCodec(keys: Map<string, string>) {
  const signingKid = [...keys.keys()].at(-1)!;
  const kids = [...keys.keys()].join(',');
  // Key objects made once: importing a raw key on every HMAC is a measurable cost per token.
  const keyObjects = new Map([...keys].map(([kid, value]) => [kid, createSecretKey(Buffer.from(value))]));
  const mac = (kid: string, body: string) =>
    createHmac('sha256', keyObjects.get(kid)!).update(body).digest('base64url');

  return {
    /** The key ids this codec knows, to tell whether the store has rotated since. */
    kids,
    encode(claims: TokenClaims): string {
      const body = `${PREFIX}.${signingKid}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${body}.${mac(signingKid, body)}`;
    },

    /** The claims of a genuine token, or null (wrong format, unknown key, bad MAC). */
    decode(token: string): TokenClaims | null {
      const parts = token.split('.');
      if (parts.length !== 4 || parts[0] !== PREFIX || !keys.has(parts[1])) return null;
      const body = `${parts[0]}.${parts[1]}.${parts[2]}`;
      if (!safeEqual(parts[3], mac(parts[1], body))) return null;
      try {
        return JSON.parse(Buffer.from(parts[2], 'base64url').toString('utf8')) as TokenClaims;
      } catch {
        return null;
      }
    },
  };
}

export type TokenCodec = ReturnType<typeof createTokenCodec>;
