/** SSO routes: identity providers, SSO settings, the SP metadata, the login options and the SAML flows. */
import type { FastifyInstance } from 'fastify';
import { registerFlowRoutes } from './flows/routes.ts';
import { registerLoginOptionsRoute } from './login-options.ts';
import { registerProviderRoutes } from './providers-routes.ts';
import type { SsoFlows, SsoService } from './service.ts';

export interface SsoRouteDeps {
  sso: SsoService;
  flows: SsoFlows;
  secureCookies: boolean;
}

export function registerSsoRoutes(app: FastifyInstance, deps: SsoRouteDeps): void {
  registerProviderRoutes(app, { providers: deps.sso.providers });
  registerLoginOptionsRoute(app, { policy: deps.sso.policy });
  registerFlowRoutes(app, { ctx: deps.flows.ctx, secureCookies: deps.secureCookies });
}
