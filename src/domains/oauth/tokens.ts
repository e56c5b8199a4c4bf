/**
 * Access tokens, design (b) of ARCHITECTURE.md (docs/decisions/0002-self-verifying-tokens.md):
 * a MAC over id, org, client, user, scopes, expiry and key id. Issuing writes nothing. A
 * validated token's principal is cached in-process for at most `cacheMs` (1 s by default);
 * each miss re-reads what can revoke it: the token id and its grant family in
 * token_revocations, the client, organization and user states, and the authorized
 * application's state. A revocation made here clears the cache at once; other processes see it
 * when their entry expires.
 */
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import type { Principal } from '../../platform/principal.ts';
import type { Executor } from '../../storage/db.ts';
import type { DirectoryService } from '../directory/index.ts';
import { narrowByScopes } from './scopes.ts';
import type { OAuthStore } from './store.ts';
import type { TokenClaims, TokenCodec } from './token-codec.ts';

export const CLIENT_CREDENTIALS = 'CLIENT-CREDENTIALS';
/** The longest lifetime any token can have: how long a grant revocation must be kept. */
export const LONGEST_TOKEN_SECONDS = 172_800;
const MAX_CACHED = 50_000;

export interface IssueTokenInput {
  orgId: string;
  clientId: string;
  userId: string | null;
  scopes: string[];
  ttlSeconds: number;
  authorizationId?: string | null;
  grantId?: string | null;
}

interface CacheEntry {
  principal: Principal;
  until: number;
  authorizationId: string | null;
  grantId: string | null;
}

export function createTokens(deps: { db: Executor; store: OAuthStore; clock: Clock; directory: DirectoryService; codec: TokenCodec; cacheMs: number }) {
  const { db, store, clock, directory, codec, cacheMs } = deps;
  const cache = new Map<string, CacheEntry>();

  async function load(c: TokenClaims): Promise<Principal | null> {
    const [ctx, revoked] = await Promise.all([
      store.tokenContext(db, { orgId: c.o, clientId: c.c, userId: c.u, authorizationId: c.a }),
      store.revokedAmong(db, c.g ? [c.i, c.g] : [c.i]),
    ]);
    if (!ctx || revoked.length > 0 || ctx.client_state !== 'active' || ctx.org_state !== 'active') return null;
    if (c.u && (ctx.user_id === null || ctx.user_state !== 'active')) return null;
    // A token issued under an authorized application lives only while the app stays authorized.
    if (c.a && ctx.authorization_state !== 'Authorized') return null;
    // A client-credentials token carries the client's roles; any other carries its user's,
    // narrowed by the token's scopes.
    const clientToken = ctx.grant_type === CLIENT_CREDENTIALS || !c.u;
    const granted = await directory.roles.permissionsOf(c.o, clientToken ? c.c : c.u!);
    return {
      tokenId: c.i,
      orgId: c.o,
      orgName: ctx.org_name,
      clientId: c.c,
      clientName: ctx.client_name,
      userId: c.u,
      scopes: c.s,
      permissions: clientToken ? granted : narrowByScopes(granted, c.s),
      internal: ctx.internal === 1,
      clientCredentials: clientToken,
      expiresAt: new Date(c.e * 1000),
      issuedAt: new Date(c.t * 1000),
    };
  }

  const forget = (match: (e: CacheEntry) => boolean) => {
    for (const [token, entry] of cache) if (match(entry)) cache.delete(token);
  };

  return {
    /** A new token; nothing is written. `trx` is accepted so callers need not care. */
    async issue(input: IssueTokenInput, _trx?: Executor) {
      const now = Math.floor(clock.now().getTime() / 1000);
      const claims: TokenClaims = {
        i: newId(), o: input.orgId, c: input.clientId, u: input.userId, s: input.scopes, t: now, e: now + input.ttlSeconds,
        a: input.authorizationId ?? null, g: input.grantId ?? null,
      };
      return { id: claims.i, accessToken: codec.encode(claims), expiresIn: input.ttlSeconds, expiresAt: new Date(claims.e * 1000) };
    },

    /** The principal of a presented token, or null when forged, expired or revoked. */
    async resolve(token: string): Promise<Principal | null> {
      if (token.length > 4096) return null;
      const now = clock.now().getTime();
      const hit = cache.get(token);
      if (hit && hit.until > now) return hit.principal.expiresAt.getTime() > now ? hit.principal : null;
      const claims = codec.decode(token);
      if (!claims || claims.e * 1000 <= now) {
        cache.delete(token);
        return null;
      }
      const principal = await load(claims);
      if (principal && cacheMs > 0) {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
        cache.set(token, { principal, until: now + cacheMs, authorizationId: claims.a, grantId: claims.g });
      } else cache.delete(token);
      return principal;
    },

    /** Revokes one token; this process forgets it at once. */
    async revoke(principal: Principal) {
      await store.insertRevocation(db, {
        subject_id: principal.tokenId, kind: 'token', org_id: principal.orgId,
        revoked_at: clock.now().toISOString(), expires_at: principal.expiresAt.toISOString(),
      });
      forget((e) => e.principal.tokenId === principal.tokenId);
    },

    /** Revokes every access and refresh token issued from one authorization code. */
    async revokeGrant(grantId: string, orgId: string, trx: Executor = db) {
      const now = clock.now();
      await store.insertRevocation(trx, {
        subject_id: grantId, kind: 'grant', org_id: orgId, revoked_at: now.toISOString(),
        expires_at: new Date(now.getTime() + LONGEST_TOKEN_SECONDS * 1000).toISOString(),
      });
      await store.revokeRefreshTokens(trx, { grantId }, now.toISOString());
      forget((e) => e.grantId === grantId);
    },

    /** Tokens under an authorized application (its state is what stops them). */
    forgetAuthorization: (authorizationId: string) => forget((e) => e.authorizationId === authorizationId),
    forgetClient: (clientId: string) => forget((e) => e.principal.clientId === clientId),
    forgetAll: () => cache.clear(),
  };
}

export type Tokens = ReturnType<typeof createTokens>;
