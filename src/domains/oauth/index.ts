/** The OAuth domain's public surface. */
import type { FastifyInstance } from 'fastify';
import type { DirectoryService } from '../directory/index.ts';
import { registerAuthorizeEndpoint, type SsoGuardHook } from './authorize-endpoint.ts';
import type { LoginPolicyHook } from './authorize-pages.ts';
import { registerAuthorizedAppRoutes } from './authorizations-routes.ts';
import { registerClientRoutes } from './clients-routes.ts';
import { registerMetadata } from './metadata.ts';
import { registerTokenRoutes } from './routes.ts';
import type { OAuthService } from './service.ts';
import { registerTokenEndpoint } from './token-endpoint.ts';
import type { RateLimits } from '../../platform/rate-limit.ts';

export { CLIENT_CREDENTIALS } from './tokens.ts';
export { createOAuthService, type OAuthService } from './service.ts';
export { rotateTokenKey } from './token-codec.ts';
export { MAX_TOKEN_TTL } from './client-rules.ts';
export type { LoginPageSso, LoginPolicyHook } from './authorize-pages.ts';
export type { SsoGuardHook } from './authorize-endpoint.ts';

export function registerOAuthRoutes(
  app: FastifyInstance,
  deps: {
    oauth: OAuthService;
    directory: DirectoryService;
    secureCookies: boolean;
    publicUrl: string | null;
    limits: RateLimits;
    /** SSO buttons and the SSO-only password policy on the /oauth/authorize login page (from the sso domain). */
    loginPolicy?: LoginPolicyHook;
    /** AuthorizedClientIDs of SSO sessions (from the sso domain): null = allowed, else where to send the browser. */
    ssoGuard?: SsoGuardHook;
  },
) {
  const { oauth, directory, secureCookies } = deps;
  registerTokenEndpoint(app, {
    grants: oauth.grants,
    clients: oauth.clients,
    secrets: oauth.secrets,
    limits: deps.limits,
  });
  registerAuthorizeEndpoint(app, {
    oauth,
    directory,
    secureCookies,
    limits: deps.limits,
    loginPolicy: deps.loginPolicy,
    ssoGuard: deps.ssoGuard,
    publicUrl: deps.publicUrl,
  });
  registerTokenRoutes(app, { oauth });
  registerClientRoutes(app, { oauth });
  registerAuthorizedAppRoutes(app, { oauth });
  registerMetadata(app, { publicUrl: deps.publicUrl });
}
