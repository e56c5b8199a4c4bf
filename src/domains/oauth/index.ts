/** The OAuth domain's public surface. */
import type { FastifyInstance } from 'fastify';
import type { DirectoryService } from '../directory/index.ts';
import { registerAuthorizeEndpoint } from './authorize-endpoint.ts';
import { registerAuthorizationRoutes } from './authorizations-routes.ts';
import { registerClientRoutes } from './clients-routes.ts';
import { registerMetadata } from './metadata.ts';
import { registerTokenRoutes } from './routes.ts';
import type { OAuthService } from './service.ts';
import { registerTokenEndpoint } from './token-endpoint.ts';
import type { RateLimits } from '../../platform/rate-limit.ts';

export { CLIENT_CREDENTIALS } from './tokens.ts';
export { createOAuthService, type OAuthService } from './service.ts';

export function registerOAuthRoutes(
  app: FastifyInstance,
  deps: { oauth: OAuthService; directory: DirectoryService; secureCookies: boolean; publicUrl: string | null; limits: RateLimits },
) {
  const { oauth, directory, secureCookies } = deps;
  registerTokenEndpoint(app, { grants: oauth.grants, clients: oauth.clients, secrets: oauth.secrets, limits: deps.limits });
  registerAuthorizeEndpoint(app, { oauth, directory, secureCookies, limits: deps.limits });
  registerTokenRoutes(app, { oauth });
  registerClientRoutes(app, { oauth });
  registerAuthorizationRoutes(app, { oauth });
  registerMetadata(app, { publicUrl: deps.publicUrl });
}
