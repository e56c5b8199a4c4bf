/**
 * RFC 6749 §6 refresh, rotating: every use answers a new refresh token and retires the old
 * one. A retired token presented again means it leaked, so the whole grant family is revoked
 * (OAuth 2.0 Security BCP §4.14.2). A user who is not active, or whose tokens were revoked
 * after this refresh token was issued (deactivation, deletion), gets nothing.
 */
import type { Clock } from '../../../platform/clock.ts';
import { sha256Hex } from '../../../platform/crypto.ts';
import { InvalidClient, InvalidGrant, InvalidRequest } from '../../../platform/errors/index.ts';
import { type Db, withTransaction } from '../../../storage/db.ts';
import type { Authorizations } from '../authorizations.ts';
import type { GrantIssuer } from '../grant-issuer.ts';
import type { OAuthStore } from '../store.ts';
import { grantedScopes, type Tokens } from '../tokens.ts';
import type { Grant } from './types.ts';

export function refreshTokenGrant(deps: {
  db: Db;
  store: OAuthStore;
  clock: Clock;
  tokens: Tokens;
  issuer: GrantIssuer;
  authorizations: Authorizations;
}): Grant {
  const { db, store, clock, tokens, issuer, authorizations } = deps;
  return {
    grantType: 'refresh_token',
    clientAuthentication: 'optional',
    async handler({ client, params, publicClient }) {
      if (!params.refresh_token) throw new InvalidRequest('missing required parameter "refresh_token"');
      const row = await store.findRefreshToken(db, sha256Hex(params.refresh_token));
      if (!row || row.client_id !== client.id) throw new InvalidGrant('the refresh token is invalid');
      // A grant begun with the client's secret is refreshed only with it (RFC 6749 §6): a leaked
      // refresh token of a confidential client is useless alone.
      if (row.confidential === 1 && publicClient) {
        throw new InvalidClient(
          'this refresh token belongs to a grant begun with the client secret; authenticate with it',
        );
      }
      if (row.revoked_at || new Date(row.expires_at) <= clock.now())
        throw new InvalidGrant('the refresh token is expired or revoked');
      const authz = await authorizations.current(row.org_id, row.client_id);
      if (!authz || authz.id !== row.authorization_id || authz.state !== 'Authorized') {
        throw new InvalidGrant('the application is not authorized in this organization');
      }
      const userRefused = new InvalidGrant('the user of the refresh token is not active or its tokens were revoked');
      if (await tokens.userTokenStopped(db, row.org_id, row.user_id, new Date(row.issued_at))) throw userRefused;
      return withTransaction(db, async (trx) => {
        if (!(await store.consumeRefreshToken(trx, row.id, clock.now().toISOString()))) throw new ReuseDetected();
        // Read again after the consuming UPDATE, which waits for a deactivation holding this row.
        if (await tokens.userTokenStopped(trx, row.org_id, row.user_id, new Date(row.issued_at))) throw userRefused;
        return issuer.issueTokens(
          client,
          {
            orgId: row.org_id,
            userId: row.user_id,
            authorizationId: row.authorization_id,
            // RFC 6749 §6: never more than the application is granted now (its scopes may have narrowed).
            scopes: grantedScopes(JSON.parse(row.scopes), authz.scopes),
            grantId: row.grant_id,
            confidential: row.confidential === 1 || !publicClient,
          },
          true,
          trx,
        );
      }).catch(async (err) => {
        if (!(err instanceof ReuseDetected)) throw err;
        // Revoke outside the rolled-back transaction so the revocation sticks.
        await tokens.revokeGrant(row.grant_id, row.org_id);
        throw new InvalidGrant('the refresh token was already used; every token of this grant is revoked');
      });
    },
  };
}

class ReuseDetected extends Error {}
