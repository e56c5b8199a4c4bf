import { request } from './client.ts';

export interface CertificateDetail {
  subject: string;
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
  expired: boolean;
  expiresSoon: boolean;
  warning?: string;
}

export interface IdentityProvider {
  id: string;
  name: string;
  disabled: boolean;
  issuerURI: string;
  ssoTargetURI: string;
  ssoBinding: string;
  sloURI?: string;
  sloBinding?: string;
  relyingPartyIdentifier?: string;
  certificates: string[];
  logoImageData?: string;
  nameIdentifierFormat?: string;
  signAuthnRequests: boolean;
  providerName: string;
  displayOnLogin: boolean;
  providerType: string;
  certificateDetails: CertificateDetail[];
  certificateWarning: boolean;
  selfUri: string;
}

export interface ProviderRequest {
  name: string;
  disabled: boolean;
  issuerURI: string;
  ssoTargetURI: string;
  ssoBinding: string;
  sloURI: string | null;
  sloBinding: string | null;
  relyingPartyIdentifier: string | null;
  certificates: string[];
  logoImageData?: string | null;
  nameIdentifierFormat: string | null;
  signAuthnRequests: boolean;
  displayOnLogin: boolean;
  /** The kind of a provider created by POST (several of one kind may coexist). */
  providerType?: string;
}

export interface ParsedMetadata {
  issuerURI: string;
  ssoTargetURI: string;
  ssoBinding: string;
  sloURI?: string;
  sloBinding?: string;
  nameIdentifierFormat?: string;
  certificates: string[];
  certificateDetails: CertificateDetail[];
  warnings?: string[];
}

export interface SsoSettings {
  ssoOnly: boolean;
  breakGlassUserId: string | null;
  redirectAllowList: string[];
}

export interface SpInfo {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  signingCertificate: CertificateDetail;
  encryptionCertificate: CertificateDetail;
}

/** The provider kinds; 'custom' is created as a generic SAML 2.0 provider. */
export const PROVIDER_KINDS: Record<string, string> = {
  custom: 'Custom (SAML 2.0)',
  adfs: 'ADFS / Microsoft Entra ID',
  generic: 'Generic SSO',
  gsuite: 'Google Workspace',
  identitynow: 'IdentityNow',
  okta: 'Okta',
  onelogin: 'OneLogin',
  ping: 'Ping Identity',
  salesforce: 'Salesforce',
  purecloud: 'PureCloud',
  pureengage: 'PureEngage',
  cic: 'Customer Interaction Center',
};

export const BINDINGS = {
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect': 'HTTP-Redirect',
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST': 'HTTP-POST',
};

export const NAME_ID_FORMATS = [
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
];

/** The type a new provider is created with (POST /api/v2/identityproviders). */
export const providerTypeOf = (kind: string) => (kind === 'custom' ? 'generic' : kind);

/** What the console calls a provider's type. */
export const providerKindLabel = (p: { providerType: string }) => PROVIDER_KINDS[p.providerType] ?? p.providerType;

export const ssoApi = {
  /** Every provider of the organization (at most 30, so one page holds them all). */
  list: () =>
    request<{ entities: IdentityProvider[]; total: number }>('/api/v2/identityproviders?pageSize=100&pageNumber=1'),
  provider: (idOrKind: string) =>
    request<IdentityProvider>(`/api/v2/identityproviders/${encodeURIComponent(idOrKind)}`),
  create: (body: ProviderRequest) => request<IdentityProvider>('/api/v2/identityproviders', { method: 'POST', body }),
  save: (idOrKind: string, body: ProviderRequest) =>
    request<IdentityProvider>(`/api/v2/identityproviders/${encodeURIComponent(idOrKind)}`, { method: 'PUT', body }),
  remove: (idOrKind: string) =>
    request<void>(`/api/v2/identityproviders/${encodeURIComponent(idOrKind)}`, { method: 'DELETE' }),
  parseMetadata: (metadata: string) =>
    request<ParsedMetadata>('/api/v2/identityproviders/metadata/parse', { method: 'POST', body: { metadata } }),
  settings: () => request<SsoSettings>('/api/v2/identityproviders/settings'),
  saveSettings: (body: SsoSettings) =>
    request<SsoSettings>('/api/v2/identityproviders/settings', { method: 'PUT', body }),
  sp: () => request<SpInfo>('/api/v2/identityproviders/sp'),
  users: () => request<{ entities: { id: string; name: string; email: string }[] }>('/api/v2/users?pageSize=500'),
};

export const SP_METADATA_URL = '/api/v2/identityproviders/sp/metadata';
export const SP_CERTIFICATE_URL = '/api/v2/identityproviders/sp/certificate';

/** "2027-03-01 (expires in 12 days)" style text for a certificate. */
export function expiryText(c: CertificateDetail): string {
  const day = c.notAfter.slice(0, 10);
  if (c.expired) return `Expired ${day}`;
  if (c.expiresSoon) return `Expires ${day} (soon)`;
  return `Expires ${day}`;
}

/** GET /saml/providers: the public login options of an organization (the login page's SSO buttons). */
export interface LoginProviderOption {
  id: string;
  name: string;
  providerType: string;
  logo: string | null;
  loginUrl: string;
}

export interface LoginOptions {
  organization: { id: string; name: string };
  ssoOnly: boolean;
  providers: LoginProviderOption[];
}

/** Null when the organization is unknown (or several exist and none was named). */
export async function fetchLoginOptions(organization?: string): Promise<LoginOptions | null> {
  const query = organization ? `?${new URLSearchParams({ organization })}` : '';
  const res = await fetch(`/saml/providers${query}`, {
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`Single sign-on options could not be loaded (HTTP ${res.status}).`);
  return (await res.json()) as LoginOptions;
}

/** Where a provider button goes: SP-initiated login, then back to a same-origin path. */
export const providerLoginHref = (p: LoginProviderOption, returnTo: string) =>
  `${p.loginUrl}?${new URLSearchParams({ returnTo })}`;
