/**
 * Self-verifying access tokens (docs/decisions/0002-self-verifying-tokens.md):
 * `gh1.<key id>.<claims, base64url JSON>.<HMAC-SHA-256, base64url>`. Issuing needs no store
 * write; validating needs no store read beyond the revocation state, cached per token for at
 * most a second. Keys live in server_keys (`token-mac:<id>`); the newest signs, all verify,
 * so a new key rotates in without logging anyone out.
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { randomToken, safeEqual } from '../../platform/crypto.ts';
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
  const read = () =>
    db.selectFrom('server_keys').selectAll().where('name', 'like', `${KEY_PREFIX}%`).orderBy('created_at').execute();
  let rows = await read();
  if (rows.length === 0) {
    await db
      .insertInto('server_keys')
      .values({ name: `${KEY_PREFIX}1`, value: randomToken(32), created_at: now.toISOString() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    rows = await read();
  }
  return new Map(rows.map((r) => [r.name.slice(KEY_PREFIX.length), r.value]));
}

export function createTokenCodec(keys: Map<string, string>) {
  const signingKid = [...keys.keys()].at(-1)!;
  // Key objects made once: importing a raw key on every HMAC is a measurable cost per token.
  const keyObjects = new Map([...keys].map(([kid, value]) => [kid, createSecretKey(Buffer.from(value))]));
  const mac = (kid: string, body: string) =>
    createHmac('sha256', keyObjects.get(kid)!).update(body).digest('base64url');

  return {
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
