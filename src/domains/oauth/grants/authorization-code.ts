/**
 * RFC 6749 §4.1.3 with RFC 7636 PKCE: a single-use, short-lived code, bound to the client, the
 * exact redirect URI and the PKCE challenge, exchanged for an access and a refresh token. A
 * replayed code revokes every token issued from it (RFC 6749 §10.5).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../../platform/clock.ts';
import { safeEqual, sha256Hex } from '../../../platform/crypto.ts';
import { InvalidGrant, InvalidRequest, UnauthorizedClient } from '../../../platform/errors/index.ts';
import type { Executor } from '../../../storage/db.ts';
import type { OAuthClientRow, OAuthCodeRow } from '../../../storage/schema.ts';
import type { Authorizations } from '../authorizations.ts';
import { CODE_TTL_SECONDS, type GrantIssuer } from '../grant-issuer.ts';
import type { OAuthStore } from '../store.ts';
import type { Tokens } from '../tokens.ts';
import type { Grant } from './types.ts';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

function checkClientBinding(code: OAuthCodeRow, client: OAuthClientRow) {
  if (code.client_id !== client.id) throw new InvalidGrant('the authorization code was issued to another client');
}

function checkRedirectUri(code: OAuthCodeRow, redirectUri: string | undefined) {
  if (redirectUri !== code.redirect_uri)
    throw new InvalidGrant('redirect_uri does not match the one of the authorization request');
}

function checkPkce(code: OAuthCodeRow, verifier: string | undefined, publicClient: boolean) {
  if (code.code_challenge === null) {
    if (publicClient) throw new InvalidGrant('a public client must use PKCE (code_challenge with S256)');
    if (verifier !== undefined)
      throw new InvalidGrant('code_verifier sent but the authorization request had no code_challenge');
    return;
  }
  if (verifier === undefined) throw new InvalidRequest('missing required parameter "code_verifier"');
  if (!VERIFIER.test(verifier))
    throw new InvalidGrant('code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~');
  if (!safeEqual(s256(verifier), code.code_challenge))
    throw new InvalidGrant('code_verifier does not match the code_challenge');
}

export function authorizationCodeGrant(deps: {
  db: Executor;
  store: OAuthStore;
  clock: Clock;
  tokens: Tokens;
  issuer: GrantIssuer;
  authorizations: Authorizations;
}): Grant {
  const { db, store, clock, tokens, issuer, authorizations } = deps;
  return {
    grantType: 'authorization_code',
    clientAuthentication: 'optional',
    async handler({ client, params, publicClient }) {
      if (!params.code) throw new InvalidRequest('missing required parameter "code"');
      if (client.grant_type !== 'CODE')
        throw new UnauthorizedClient('this client is not allowed to use the authorization_code grant');
      const hash = sha256Hex(params.code);
      const code = await store.findCode(db, hash);
      if (!code || new Date(code.expires_at) <= clock.now())
        throw new InvalidGrant('the authorization code is invalid or expired');
      checkClientBinding(code, client);
      if (!(await store.consumeCode(db, hash, clock.now().toISOString()))) {
        await tokens.revokeGrant(code.grant_id, code.org_id);
        throw new InvalidGrant('the authorization code was already used; the tokens issued from it are revoked');
      }
      checkRedirectUri(code, params.redirect_uri);
      checkPkce(code, params.code_verifier, publicClient);
      const authz = await authorizations.current(code.org_id, client.id);
      if (!authz || authz.id !== code.authorization_id || authz.state !== 'Authorized') {
        throw new InvalidGrant('the application is not authorized in this organization');
      }
      // A user deactivated or deleted since the code was issued gets nothing, even once reactivated.
      const codeIssuedAt = new Date(Date.parse(code.expires_at) - CODE_TTL_SECONDS * 1000);
      if (await tokens.userTokenStopped(db, code.org_id, code.user_id, codeIssuedAt)) {
        throw new InvalidGrant('the user of the authorization code is not active or its tokens were revoked');
      }
      return issuer.issueTokens(
        client,
        {
          orgId: code.org_id,
          userId: code.user_id,
          authorizationId: code.authorization_id,
          scopes: JSON.parse(code.scopes),
          grantId: code.grant_id,
          confidential: !publicClient,
        },
        true,
      );
    },
  };
}
