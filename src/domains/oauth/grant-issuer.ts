/**
 * Issues what the user-facing grants answer: an access token under an authorized
 * application, and a rotating refresh token of the same grant family.
 */
import type { Clock } from '../../platform/clock.ts';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import { newId } from '../../platform/ids.ts';
import type { Executor } from '../../storage/db.ts';
import type { OAuthClientRow } from '../../storage/schema.ts';
import type { TokenResponse } from './grants/types.ts';
import type { OAuthStore } from './store.ts';
import type { Tokens } from './tokens.ts';

export const CODE_TTL_SECONDS = 120;
export const REFRESH_TTL_SECONDS = 30 * 24 * 3600;

export interface UserGrant {
  orgId: string;
  userId: string;
  authorizationId: string;
  scopes: string[];
  grantId: string;
  /** The client authenticated with its secret: its refresh tokens then need the secret too. */
  confidential?: boolean;
}

export function createGrantIssuer(deps: { db: Executor; store: OAuthStore; clock: Clock; tokens: Tokens }) {
  const { db, store, clock, tokens } = deps;
  return {
    /** An authorization code bound to client, redirect URI, PKCE challenge and user. */
    async issueCode(
      client: OAuthClientRow,
      g: Omit<UserGrant, 'grantId'>,
      redirectUri: string,
      codeChallenge: string | null,
    ) {
      const code = randomToken(32);
      await store.insertCode(db, {
        code_hash: sha256Hex(code),
        grant_id: newId(),
        org_id: g.orgId,
        client_id: client.id,
        user_id: g.userId,
        authorization_id: g.authorizationId,
        redirect_uri: redirectUri,
        scopes: JSON.stringify(g.scopes),
        code_challenge: codeChallenge,
        expires_at: new Date(clock.now().getTime() + CODE_TTL_SECONDS * 1000).toISOString(),
        used_at: null,
      });
      return code;
    },

    /** Access token plus a refresh token (omitted for the implicit grant). */
    async issueTokens(
      client: OAuthClientRow,
      g: UserGrant,
      withRefresh: boolean,
      trx: Executor = db,
    ): Promise<TokenResponse> {
      const access = await tokens.issue({
        orgId: g.orgId,
        clientId: client.id,
        userId: g.userId,
        scopes: g.scopes,
        ttlSeconds: client.token_ttl,
        authorizationId: g.authorizationId,
        grantId: g.grantId,
      });
      const response: TokenResponse = {
        access_token: access.accessToken,
        token_type: 'bearer',
        expires_in: access.expiresIn,
        scope: g.scopes.join(' '),
      };
      if (!withRefresh) return response;
      const refresh = randomToken(32);
      const now = clock.now();
      await store.insertRefreshToken(trx, {
        id: newId(),
        token_hash: sha256Hex(refresh),
        grant_id: g.grantId,
        org_id: g.orgId,
        client_id: client.id,
        user_id: g.userId,
        authorization_id: g.authorizationId,
        scopes: JSON.stringify(g.scopes),
        issued_at: now.toISOString(),
        expires_at: new Date(now.getTime() + REFRESH_TTL_SECONDS * 1000).toISOString(),
        used_at: null,
        revoked_at: null,
        confidential: g.confidential ? 1 : 0,
      });
      return { ...response, refresh_token: refresh };
    },
  };
}

export type GrantIssuer = ReturnType<typeof createGrantIssuer>;
