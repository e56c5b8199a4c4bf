/**
 * RFC 7522 §2.1 SAML2-bearer grant, as Genesys Cloud offers it: a confidential client of type
 * SAML2-BEARER sends `assertion` (base64url of a signed SAML Assertion, or of a whole Response)
 * and `orgName`; the answer is a token for the user the assertion names. The assertion itself is
 * checked by the sso domain through the injected verifier (oauth never imports sso). No refresh
 * token: the client presents a fresh assertion (RFC 7522 §3 leaves it to the server).
 * Scopes are narrowed as for authorization-code tokens: a client of the user's own organization
 * gets its registered scopes; a client of another organization needs that organization's
 * authorization and gets the scopes it granted.
 */
import { InvalidGrant, InvalidRequest, UnauthorizedClient } from '../../../platform/errors/index.ts';
import type { Authorizations } from '../authorizations.ts';
import type { Tokens } from '../tokens.ts';
import type { Grant } from './types.ts';

export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';

/** Validates the assertion for the organization; answers the user and the assertion's AuthorizedClientIDs (null: none sent), or throws InvalidGrant. */
export type SamlBearerVerifier = (
  orgName: string,
  assertion: string,
) => Promise<{ orgId: string; userId: string; authorizedClientIds: string[] | null }>;

export function saml2BearerGrant(deps: {
  tokens: Tokens;
  authorizations: Authorizations;
  verify: SamlBearerVerifier;
}): Grant {
  const { tokens, authorizations, verify } = deps;
  return {
    grantType: SAML2_BEARER,
    clientAuthentication: 'required',
    async handler({ client, params }) {
      if (client.grant_type !== 'SAML2-BEARER')
        throw new UnauthorizedClient('this client is not allowed to use the SAML2-bearer grant');
      if (!params.assertion) throw new InvalidRequest('missing required parameter "assertion"');
      if (!params.orgName) throw new InvalidRequest('missing required parameter "orgName"');
      const { orgId, userId, authorizedClientIds } = await verify(params.orgName, params.assertion);
      // The IdP's AuthorizedClientIDs bind the assertion to those clients, as at /oauth/authorize.
      if (authorizedClientIds && !authorizedClientIds.includes(client.id)) {
        throw new InvalidGrant('the identity provider does not authorize this client for the user');
      }
      let scopes = JSON.parse(client.scopes) as string[];
      let authorizationId: string | null = null;
      if (orgId !== client.org_id) {
        const authz = await authorizations.current(orgId, client.id);
        if (authz?.state !== 'Authorized')
          throw new InvalidGrant('the application is not authorized in this organization');
        const granted = JSON.parse(authz.scopes) as string[];
        scopes = scopes.filter((s) => granted.includes(s));
        authorizationId = authz.id;
      }
      // RFC 6749 §3.3: a requested scope narrows further; it never widens.
      if (params.scope) {
        const asked = params.scope.split(' ').filter(Boolean);
        scopes = scopes.filter((s) => asked.includes(s));
      }
      const issued = await tokens.issue({
        orgId,
        clientId: client.id,
        userId,
        scopes,
        ttlSeconds: client.token_ttl,
        authorizationId,
      });
      return {
        access_token: issued.accessToken,
        token_type: 'bearer',
        expires_in: issued.expiresIn,
        scope: scopes.join(' '),
      };
    },
  };
}
