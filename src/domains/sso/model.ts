/**
 * The SSO domain's shared model: what the identity-provider administration (store, CRUD,
 * console) keeps and what the SAML flows (ACS, SP-initiated login, logout, SAML2-bearer grant)
 * read. The store in providers-store.ts implements IdentityProviderStore.
 */

/** Upstream provider kinds: one path each under /api/v2/identityproviders/{kind}, plus custom ones. */
export type ProviderType =
  | 'adfs'
  | 'cic'
  | 'generic'
  | 'gsuite'
  | 'identitynow'
  | 'okta'
  | 'onelogin'
  | 'ping'
  | 'purecloud'
  | 'pureengage'
  | 'salesforce';

export type SamlBinding = 'HTTP-Redirect' | 'HTTP-POST';

export interface IdentityProvider {
  id: string;
  orgId: string;
  providerType: ProviderType;
  name: string;
  disabled: boolean;
  /** The IdP's entity id (Issuer of its responses). */
  issuerUri: string;
  /** Where AuthnRequests go. */
  ssoTargetUri: string;
  ssoBinding: SamlBinding;
  sloUri: string | null;
  sloBinding: SamlBinding | null;
  nameIdentifierFormat: string | null;
  /** The SP entity id the IdP expects as Audience (upstream relyingPartyIdentifier); default: the org's SP entity id. */
  relyingPartyIdentifier: string | null;
  /** Sign AuthnRequests with the org's SP signing key. */
  signAuthnRequests: boolean;
  /** Up to 5 PEM certificates; any unexpired one may verify a response. */
  certificates: string[];
  /** Sanitized SVG, at most 25 KB, or null. */
  logoSvg: string | null;
  /** Shown as a button on the login page (up to 6 buttons, the rest in a dropdown). */
  displayOnLogin: boolean;
  version: number;
  dateCreated: string;
  dateModified: string;
}

/** Per-organization SSO settings. */
export interface SsoSettings {
  orgId: string;
  /** Password login refused for everyone except the break-glass user. */
  ssoOnly: boolean;
  breakGlassUserId: string | null;
  /** URLs (exact, https) that the ServiceName attribute may redirect to after login. */
  redirectAllowList: string[];
}

/** The org's own SAML service-provider credentials (PEM), created on first use and kept in the store. */
export interface SpCredentials {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  signing: { privateKeyPem: string; certificatePem: string };
  encryption: { privateKeyPem: string; certificatePem: string };
}

export interface IdentityProviderStore {
  list(
    orgId: string,
    page: { pageNumber: number; pageSize: number },
  ): Promise<{ entities: IdentityProvider[]; total: number }>;
  get(orgId: string, id: string): Promise<IdentityProvider | null>;
  /** Every enabled provider with this issuer, across organizations (one IdP may serve several orgs). */
  findByIssuer(issuerUri: string): Promise<IdentityProvider[]>;
  /** Enabled providers of an org, for its login page. */
  enabledFor(orgId: string): Promise<IdentityProvider[]>;
  settings(orgId: string): Promise<SsoSettings>;
  /** The org's SP credentials; created and stored on first call (concurrent first calls agree). */
  spCredentials(orgId: string, publicUrl: string): Promise<SpCredentials>;
}

/**
 * The AuthorizedClientIDs attribute (several values, or comma-separated): the OAuth clients the
 * signed-in user may use, or null when the IdP sent no such attribute (no restriction).
 */
export function authorizedClientIdsOf(attributes: Record<string, string[]>): string[] | null {
  const values = attributes.AuthorizedClientIDs;
  return values
    ? values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean)
    : null;
}
