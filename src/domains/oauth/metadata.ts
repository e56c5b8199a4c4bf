/**
 * RFC 8414 authorization server metadata (beyond upstream), so generic OAuth clients configure
 * themselves. The issuer is the configured public URL, or the origin the request came to.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SCOPES } from './scopes.ts';

export function registerMetadata(app: FastifyInstance, { publicUrl }: { publicUrl: string | null }) {
  const issuerOf = (request: FastifyRequest) => publicUrl ?? `${request.protocol}://${request.host}`;
  app.get('/.well-known/oauth-authorization-server', { config: { public: true } }, async (request) => {
    const issuer = issuerOf(request);
    return {
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      scopes_supported: SCOPES.map((s) => s.id),
      response_types_supported: ['code', 'token'],
      response_modes_supported: ['query', 'fragment'],
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'implicit',
        'urn:ietf:params:oauth:grant-type:saml2-bearer',
      ],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
      service_documentation: `${issuer}/`,
    };
  });
}
