/** SSO routes: identity providers, SSO settings and the SP metadata and certificates (wired by the composition root). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RateLimits } from '../../platform/rate-limit.ts';
import type { DirectoryService } from '../directory/index.ts';
import type { OAuthService } from '../oauth/index.ts';
import { createSsoFlows, type SsoFlows } from './flows/create.ts';
import { registerFlowRoutes } from './flows/routes.ts';
import { createLoginPolicy, registerLoginOptionsRoute } from './login-options.ts';
import { registerProviderRoutes } from './providers-routes.ts';
import { createIdentityProviderStore } from './providers-store.ts';

export interface SsoDeps {
  db: unknown;
  clock: Clock;
  directory: DirectoryService;
  oauth: OAuthService;
  config: Config;
  limits: RateLimits;
  /** The SAML flows (created by the composition root so oauth can get their authorize guard). */
  flows?: SsoFlows;
}

export function registerSsoRoutes(app: FastifyInstance, deps: SsoDeps): void {
  const providers = createIdentityProviderStore({ db: deps.db, clock: deps.clock });
  registerProviderRoutes(app, { ...deps, providers });
  registerLoginOptionsRoute(app, { policy: createLoginPolicy({ store: providers }) });
  const flows =
    deps.flows ??
    createSsoFlows({ db: deps.db, clock: deps.clock, oauth: deps.oauth, publicUrl: deps.config.publicUrl });
  registerFlowRoutes(app, { ctx: flows.ctx, secureCookies: deps.config.secureCookies });
}
