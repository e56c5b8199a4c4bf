/** The SSO domain: identity providers, SAML 2.0 flows and the SAML2-bearer grant. */
export { registerSsoRoutes, type SsoDeps } from './routes.ts';
export { createIdentityProviderStore, type SsoStore, spEndpoints } from './providers-store.ts';
export type { IdentityProvider, IdentityProviderStore, SpCredentials, SsoSettings } from './model.ts';
export { createSsoLogin, type SsoLogin } from './sso-login.ts';
export { createSsoFlows, type SsoFlows } from './flows/create.ts';
export type { SsoAuthorizeGuard } from './flows/guard.ts';
export { createSsoPersonalData } from './personal-data.ts';
