import type { Static } from '@sinclair/typebox';
import type { UserEntityListing } from '../../../src/domains/directory/schemas.ts';
import type {
  CertificateDetail,
  IdentityProvider,
  LoginOptions as LoginOptionsSchema,
  LoginProviderOption as LoginProviderOptionSchema,
  ParsedMetadata,
  ProviderBody,
  SpInfo,
  SsoSettings as SsoSettingsSchema,
} from '../../../src/domains/sso/schemas.ts';
import { request } from './client.ts';

export type { CertificateDetail, IdentityProvider, ParsedMetadata, SpInfo };
/** GET /saml/providers: the public login options of an organization (the login page's SSO buttons). */
export type LoginOptions = Static<typeof LoginOptionsSchema>;
export type LoginProviderOption = Static<typeof LoginProviderOptionSchema>;
type Filled =
  | 'name'
  | 'disabled'
  | 'issuerURI'
  | 'ssoTargetURI'
  | 'ssoBinding'
  | 'certificates'
  | 'signAuthnRequests'
  | 'displayOnLogin';
/** What the console sends to create or save a provider: the server's body, with the fields its form always fills. */
export type ProviderRequest = Omit<ProviderBody, Filled | 'providerType'> & {
  [K in Filled]-?: NonNullable<ProviderBody[K]>;
} & {
  /** The kind of a provider created by POST (several of one kind may coexist). */
  providerType?: string;
};
export type SsoSettings = Static<typeof SsoSettingsSchema>;

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
  users: () => request<Static<typeof UserEntityListing>>('/api/v2/users?pageSize=500'),
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
