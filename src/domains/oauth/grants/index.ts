/** The grant registry: one file per grant, registered here by name. */
import type { Clock } from '../../../platform/clock.ts';
import type { Db } from '../../../storage/db.ts';
import type { Authorizations } from '../authorizations.ts';
import type { GrantIssuer } from '../grant-issuer.ts';
import type { OAuthStore } from '../store.ts';
import type { Tokens } from '../tokens.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { refreshTokenGrant } from './refresh-token.ts';
import { saml2BearerGrant, type SamlBearerVerifier } from './saml2-bearer.ts';
import type { Grant } from './types.ts';

export interface GrantDeps {
  db: Db;
  store: OAuthStore;
  clock: Clock;
  tokens: Tokens;
  issuer: GrantIssuer;
  authorizations: Authorizations;
  /** The sso domain's assertion check; without it the SAML2-bearer grant is not offered. */
  samlBearer?: SamlBearerVerifier;
}

export function createGrants(deps: GrantDeps): Map<string, Grant> {
  const grants = [clientCredentialsGrant(deps.tokens), authorizationCodeGrant(deps), refreshTokenGrant(deps)];
  if (deps.samlBearer)
    grants.push(
      saml2BearerGrant({ tokens: deps.tokens, authorizations: deps.authorizations, verify: deps.samlBearer }),
    );
  return new Map(grants.map((g) => [g.grantType, g]));
}

export { s256 } from './authorization-code.ts';
export type { Grant, TokenResponse } from './types.ts';
export { SAML2_BEARER, type SamlBearerVerifier } from './saml2-bearer.ts';
