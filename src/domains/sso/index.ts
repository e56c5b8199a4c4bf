/** The SSO domain: identity providers, SAML 2.0 flows and the SAML2-bearer grant. */
export { registerSsoRoutes, type SsoDeps } from './routes.ts';
