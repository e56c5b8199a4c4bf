/** The SSO domain: identity providers, SAML 2.0 flows and the SAML2-bearer grant. */
export { registerSsoRoutes, type SsoRouteDeps } from './routes.ts';
export { createSsoService, type SsoFlows, type SsoService, type SsoServiceDeps } from './service.ts';
export { createIdentityProviderStore, type SsoStore, spEndpoints } from './providers-store.ts';
export type { IdentityProvider, IdentityProviderStore, SpCredentials, SsoSettings } from './model.ts';
export type { SsoAuthorizeGuard } from './flows/guard.ts';
