/**
 * RFC 6749 §4.4 client credentials: a confidential client exchanges its own credentials for a
 * token carrying the client's roles (and its service-account user, if it has one).
 */
import { UnauthorizedClient } from '../../../platform/errors/index.ts';
import type { OAuthClientRow } from '../../../storage/schema.ts';
import { CLIENT_CREDENTIALS, type Tokens } from '../tokens.ts';
import type { Grant } from './types.ts';

function checkGrantAllowed(client: OAuthClientRow) {
  if (client.grant_type !== CLIENT_CREDENTIALS) {
    throw new UnauthorizedClient('this client is not allowed to use the client_credentials grant');
  }
}

export function clientCredentialsGrant(tokens: Tokens): Grant {
  return {
    grantType: 'client_credentials',
    clientAuthentication: 'required',
    async handler({ client }) {
      checkGrantAllowed(client);
      const issued = await tokens.issue({
        orgId: client.org_id,
        clientId: client.id,
        userId: client.service_user_id,
        scopes: ['all'],
        ttlSeconds: client.token_ttl,
      });
      return { access_token: issued.accessToken, token_type: 'bearer', expires_in: issued.expiresIn };
    },
  };
}
