/**
 * Access tokens, design (b) of ARCHITECTURE.md (docs/decisions/0002-self-verifying-tokens.md):
 * a MAC over id, org, client, user, scopes, expiry and key id. Issuing writes nothing. A
 * validated token's principal is cached in-process for at most `cacheMs` (1 s by default);
 * each miss re-reads what can revoke it: the token id, its grant family and its user in
 * token_revocations (a user's row stops every token issued at or before its instant), the
 * client, organization and user states, and the authorized application's state. A revocation
 * made here clears the cache at once, and reaches every other process through the invalidation
 * bus (Redis pub/sub when configured); an entry's expiry is the fallback when a message is lost.
 * The principal also carries the user's view (what /users/me answers): a change to the user, its
 * division, its client or organization drops it the same way (kinds user, client, organization).
 */
import { registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { InvalidationBus, TokenInvalidation } from '../../platform/invalidation.ts';
import { newId } from '../../platform/ids.ts';
import type { Principal } from '../../platform/principal.ts';
import type { Executor } from '../../storage/db.ts';
import type { AuthorizedGrantType } from '../../storage/schema.ts';
import type { DirectoryService } from '../directory/index.ts';
import { narrowByScopes } from './scopes.ts';
import type { OAuthStore } from './store.ts';
import type { TokenClaims, TokenCodec } from './token-codec.ts';

registerAuditEntity('OAuth', 'Token', ['Revoke']);

export const CLIENT_CREDENTIALS = 'CLIENT-CREDENTIALS' satisfies AuthorizedGrantType;
/** The longest lifetime any token can have: how long a grant revocation must be kept. */
export const LONGEST_TOKEN_SECONDS = 172_800;
const MAX_CACHED = 50_000;
/** token_revocations.kind of a user's row: every token and refresh token issued until then stops. */
const USER_REVOCATION = 'user';

/** The issue time in milliseconds (`t` carries them since user revocation; older tokens have whole seconds). */
const issuedAtMs = (c: TokenClaims) => Math.round(c.t * 1000);

/** The scopes of `asked` an authorized application is still granted (its row's JSON list). */
export function grantedScopes(asked: readonly string[], granted: string | null): string[] {
  const now = new Set<string>(granted ? (JSON.parse(granted) as string[]) : []);
  return asked.filter((s) => now.has(s));
}

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

export function createTokens(deps: {
  db: Executor;
  store: OAuthStore;
  clock: Clock;
  directory: DirectoryService;
  codec: TokenCodec;
  cacheMs: number;
  /** Carries invalidations to the other processes (none: this process only). */
  bus?: InvalidationBus;
}) {
  const { db, store, clock, directory, codec, cacheMs, bus } = deps;
  const cache = new Map<string, CacheEntry>();
  // An invalidation may arrive before the transaction that caused it commits (it is published
  // from inside it): for one cache period, entries it matches are not cached again, so a
  // request racing the commit cannot keep the old state for a whole period.
  let fences: { match: (e: CacheEntry) => boolean; until: number }[] = [];
  const fenced = (e: CacheEntry, now: number) => {
    if (fences.length === 0) return false;
    fences = fences.filter((f) => f.until > now);
    return fences.some((f) => f.match(e));
  };
  // Users revoked by a transaction that may not have committed yet: their principals are not
  // cached meanwhile, so a request racing the transaction cannot cache the state before it.
  const uncachedUntil = new Map<string, number>();
  const cacheable = (p: Principal, now: number) => !p.userId || (uncachedUntil.get(p.userId) ?? 0) <= now;

  async function load(c: TokenClaims): Promise<Principal | null> {
    const [ctx, revocations] = await Promise.all([
      store.tokenContext(db, { orgId: c.o, clientId: c.c, userId: c.u, authorizationId: c.a }),
      store.revocationsAmong(db, [c.i, ...(c.g ? [c.g] : []), ...(c.u ? [c.u] : [])]),
    ]);
    // A token or grant row stops the token; a user's row stops what was issued up to its instant,
    // so a user reactivated later does not bring the old tokens back.
    const revoked = revocations.some((r) =>
      r.kind === USER_REVOCATION ? r.subject_id === c.u && issuedAtMs(c) <= Date.parse(r.revoked_at) : true,
    );
    if (!ctx || revoked || ctx.client_state !== 'active' || ctx.org_state !== 'active') return null;
    if (c.u && (ctx.user_id === null || ctx.user_state !== 'active')) return null;
    // A token issued under an authorized application lives only while the app stays authorized.
    if (c.a && ctx.authorization_state !== 'Authorized') return null;
    // ...and carries only the scopes the application is still granted (narrowed since: RFC 6749 §6 spirit).
    const scopes = c.a ? grantedScopes(c.s, ctx.authorization_scopes) : c.s;
    // A client-credentials token carries the client's roles; any other carries its user's,
    // narrowed by the token's scopes.
    const clientToken = ctx.grant_type === CLIENT_CREDENTIALS || !c.u;
    const [byDivision, user, organization] = await Promise.all([
      directory.roles.divisionPermissionsOf(c.o, clientToken ? c.c : c.u!),
      // What /users/me and /organizations/me answer, read once per token state instead of on every request.
      c.u ? directory.users.get(c.o, c.u).catch(() => undefined) : undefined,
      directory.organizations.me(c.o).catch(() => undefined),
    ]);
    const narrow = (perms: string[]) => (clientToken ? perms : narrowByScopes(perms, scopes));
    // A grant in every division is kept under `*` (docs/decisions/0017-all-divisions-grants.md).
    const divisionPermissions = new Map([...byDivision].map(([d, perms]) => [d, narrow(perms)]));
    const permissions = [...new Set([...divisionPermissions.values()].flat())];
    return {
      tokenId: c.i,
      orgId: c.o,
      orgName: ctx.org_name,
      clientId: c.c,
      clientName: ctx.client_name,
      userId: c.u,
      scopes,
      permissions,
      divisionPermissions,
      homeDivisionId: ctx.home_division_id ?? undefined,
      internal: ctx.internal === 1,
      clientCredentials: clientToken,
      scimRateLimit: ctx.scim_rate_limit ?? null,
      user,
      organization,
      expiresAt: new Date(c.e * 1000),
      issuedAt: new Date(issuedAtMs(c)),
    };
  }

  const matcher = (inv: TokenInvalidation): ((e: CacheEntry) => boolean) => {
    switch (inv.kind) {
      case 'token':
        return (e) => e.principal.tokenId === inv.id;
      case 'grant':
        return (e) => e.grantId === inv.id;
      case 'user':
        return (e) => e.principal.userId === inv.id;
      case 'client':
        return (e) => e.principal.clientId === inv.id;
      case 'authorization':
        return (e) => e.authorizationId === inv.id;
      case 'organization':
        return (e) => e.principal.orgId === inv.id;
      default:
        return () => true;
    }
  };
  const apply = (inv: TokenInvalidation) => {
    const match = matcher(inv);
    for (const [token, entry] of cache) if (match(entry)) cache.delete(token);
    if (cacheMs > 0) fences.push({ match, until: clock.now().getTime() + cacheMs });
  };
  /**
   * What `resolve` would answer from the cache alone, synchronously: the principal, null, or
   * undefined when the token is not cached (then `resolve` it). The request pipeline's hot path.
   */
  function cached(token: string): Principal | null | undefined {
    const now = clock.now().getTime();
    const hit = cache.get(token);
    if (hit && hit.until > now) return hit.principal.expiresAt.getTime() > now ? hit.principal : null;
    return undefined;
  }
  bus?.subscribe('oauth.tokens', { onMessage: apply, onResync: () => cache.clear() });
  /** Drops matching cached states here and, through the bus, in every other process. */
  const forget = (inv: TokenInvalidation) => (bus ? void bus.publish('oauth.tokens', inv) : apply(inv));

  return {
    /** A new token; nothing is written (tokens are self-verifying: decision 0002). */
    async issue(input: IssueTokenInput) {
      const nowMs = clock.now().getTime();
      const now = Math.floor(nowMs / 1000);
      // The issue time keeps its milliseconds: a user revoked and reactivated within one second
      // must keep the tokens issued after the reactivation and lose those issued before.
      const claims: TokenClaims = {
        i: newId(),
        o: input.orgId,
        c: input.clientId,
        u: input.userId,
        s: input.scopes,
        t: nowMs / 1000,
        e: now + input.ttlSeconds,
        a: input.authorizationId ?? null,
        g: input.grantId ?? null,
      };
      return {
        id: claims.i,
        accessToken: codec.encode(claims),
        expiresIn: input.ttlSeconds,
        expiresAt: new Date(claims.e * 1000),
      };
    },

    cached,

    /** The principal of a presented token, or null when forged, expired or revoked. */
    async resolve(token: string): Promise<Principal | null> {
      if (token.length > 4096) return null;
      const hit = cached(token);
      if (hit !== undefined) return hit;
      const now = clock.now().getTime();
      const claims = codec.decode(token);
      if (!claims || claims.e * 1000 <= now) {
        cache.delete(token);
        return null;
      }
      const principal = await load(claims);
      const entry = principal && { principal, until: now + cacheMs, authorizationId: claims.a, grantId: claims.g };
      if (entry && cacheMs > 0 && cacheable(entry.principal, now) && !fenced(entry, now)) {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
        cache.set(token, entry);
      } else cache.delete(token);
      return principal;
    },

    /** Revokes one token; this process forgets it at once. */
    async revoke(principal: Principal, trx: Executor = db) {
      await store.insertRevocation(trx, {
        subject_id: principal.tokenId,
        kind: 'token',
        org_id: principal.orgId,
        revoked_at: clock.now().toISOString(),
        expires_at: principal.expiresAt.toISOString(),
      });
      forget({ kind: 'token', id: principal.tokenId });
    },

    /** Revokes every access and refresh token issued from one authorization code. */
    async revokeGrant(grantId: string, orgId: string, trx: Executor = db) {
      const now = clock.now();
      await store.insertRevocation(trx, {
        subject_id: grantId,
        kind: 'grant',
        org_id: orgId,
        revoked_at: now.toISOString(),
        expires_at: new Date(now.getTime() + LONGEST_TOKEN_SECONDS * 1000).toISOString(),
      });
      await store.revokeRefreshTokens(trx, { grantId }, now.toISOString());
      forget({ kind: 'grant', id: grantId });
    },

    /**
     * Revokes every access and refresh token a user holds, durably and for every process: a
     * `user` row in token_revocations stops each token issued up to now (reactivating the user
     * does not bring them back), and the user's refresh tokens are marked revoked. Called inside
     * the transaction that deactivates or deletes the user. The refresh tokens are revoked
     * first, so a refresh running at the same moment either finishes before the instant is
     * taken (and its new tokens are stopped by it) or sees the user inactive.
     */
    async revokeUser(orgId: string, userId: string, trx: Executor = db) {
      await store.revokeRefreshTokens(trx, { user: { orgId, userId } }, clock.now().toISOString());
      // The instant is taken after the refresh tokens are revoked (see above).
      const now = clock.now().getTime();
      await store.upsertUserRevocation(trx, {
        subject_id: userId,
        kind: USER_REVOCATION,
        org_id: orgId,
        revoked_at: new Date(now).toISOString(),
        expires_at: new Date(now + LONGEST_TOKEN_SECONDS * 1000).toISOString(),
      });
      for (const [id, until] of uncachedUntil) if (until <= now) uncachedUntil.delete(id);
      uncachedUntil.set(userId, now + cacheMs);
      forget({ kind: 'user', id: userId });
    },

    /** Whether a token the user was issued at this instant is stopped: the user is not active, or was revoked since. */
    async userTokenStopped(ex: Executor, orgId: string, userId: string, issuedAt: Date) {
      const standing = await store.userStanding(ex, orgId, userId);
      if (standing?.state !== 'active') return true;
      return standing.revoked_at !== null && issuedAt.getTime() <= Date.parse(standing.revoked_at);
    },

    /** Tokens under an authorized application (its state is what stops them). */
    forgetAuthorization: (authorizationId: string) => forget({ kind: 'authorization', id: authorizationId }),
    forgetClient: (clientId: string) => forget({ kind: 'client', id: clientId }),
    /** A user's row changed (its view is cached with its tokens' states): they are read again. */
    forgetUser: (userId: string) => forget({ kind: 'user', id: userId }),
    forgetAll: () => forget({ kind: 'all', id: '' }),
    /** An organization's roles or grants changed: its tokens' permissions are computed again. */
    forgetOrganization: (orgId: string) => forget({ kind: 'organization', id: orgId }),
  };
}

export type Tokens = ReturnType<typeof createTokens>;
