/**
 * Request shapes of /api/v2/identityproviders, derived from the upstream CustomProvider / Okta /
 * GenericSAML definitions (every field optional and nullable on the wire; unknown fields such as
 * `selfUri` or `metadataURL` are accepted and ignored, so a GET body can be PUT back). The JSON
 * body validator never coerces: `"name": 42` is a 400, not "42". What a schema cannot say
 * (URLs, PEM, bindings, the 5-certificate limit) the service checks with field-named messages.
 */
import { type Static, Type } from '@sinclair/typebox';
import { PagingQuery } from '../../platform/schemas.ts';

/** The provider kinds, each with its upstream path /api/v2/identityproviders/{kind}. */
export const PROVIDER_TYPES = [
  'adfs',
  'cic',
  'generic',
  'gsuite',
  'identitynow',
  'okta',
  'onelogin',
  'ping',
  'purecloud',
  'pureengage',
  'salesforce',
] as const;

const Text = (maxLength: number) => Type.String({ maxLength });
const NullableText = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);

/** A PEM certificate (or base64 DER); a few KB in practice, 64 KB at most. */
const Certificate = Type.String({ maxLength: 65_536 });

export const ProviderBody = Type.Object({
  name: Type.Optional(Text(255)),
  disabled: Type.Optional(Type.Boolean()),
  issuerURI: Type.Optional(Text(2048)),
  ssoTargetURI: Type.Optional(Text(4096)),
  ssoBinding: Type.Optional(NullableText(255)),
  sloURI: Type.Optional(NullableText(4096)),
  sloBinding: Type.Optional(NullableText(255)),
  relyingPartyIdentifier: Type.Optional(NullableText(2048)),
  certificate: Type.Optional(Type.Union([Certificate, Type.Null()])),
  // More than 5 is refused by the service with a message that counts them; 100 bounds the work.
  certificates: Type.Optional(Type.Union([Type.Array(Certificate, { maxItems: 100 }), Type.Null()])),
  // The logo's own limit (25 KB after sanitizing) is checked by logo.ts; base64 or raw SVG arrives here.
  logoImageData: Type.Optional(NullableText(1_048_576)),
  nameIdentifierFormat: Type.Optional(NullableText(255)),
  signAuthnRequests: Type.Optional(Type.Boolean()),
  providerName: Type.Optional(NullableText(255)),
  displayOnLogin: Type.Optional(Type.Boolean()),
  /** Gatehouse addition: the kind of a provider created by POST (default generic). */
  providerType: Type.Optional(Type.Union(PROVIDER_TYPES.map((t) => Type.Literal(t)))),
});
export type ProviderBody = Static<typeof ProviderBody>;

export const ProviderIdParams = Type.Object({ providerId: Type.String({ minLength: 1, maxLength: 64 }) });

export const ProviderListQuery = Type.Object({ ...PagingQuery });

export const MetadataParseBody = Type.Object({ metadata: Type.String({ maxLength: 1_048_576 }) });
export type MetadataParseBody = Static<typeof MetadataParseBody>;

export const SsoSettingsBody = Type.Object({
  ssoOnly: Type.Optional(Type.Boolean()),
  breakGlassUserId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  redirectAllowList: Type.Optional(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 100 })),
});
export type SsoSettingsBody = Static<typeof SsoSettingsBody>;

export const SpCertificateQuery = Type.Object({
  use: Type.Optional(Type.Union([Type.Literal('signing'), Type.Literal('encryption')])),
});
export type SpCertificateQuery = Static<typeof SpCertificateQuery>;

// Responses (the console reads these as types; the views below are typed by them).

/** A certificate's subject and validity, flagged within 30 days of expiry (Gatehouse addition). */
export const CertificateDetail = Type.Object({
  subject: Type.String(),
  notBefore: Type.String(),
  notAfter: Type.String(),
  fingerprint256: Type.String(),
  expired: Type.Boolean(),
  expiresSoon: Type.Boolean(),
  warning: Type.Optional(Type.String()),
});
export type CertificateDetail = Static<typeof CertificateDetail>;

/** An identity provider as GET /api/v2/identityproviders answers it. */
export const IdentityProvider = Type.Object({
  id: Type.String(),
  name: Type.String(),
  disabled: Type.Boolean(),
  issuerURI: Type.String(),
  ssoTargetURI: Type.String(),
  ssoBinding: Type.String(),
  sloURI: Type.Optional(Type.String()),
  sloBinding: Type.Optional(Type.String()),
  relyingPartyIdentifier: Type.Optional(Type.String()),
  certificate: Type.Optional(Type.String()),
  certificates: Type.Array(Type.String()),
  logoImageData: Type.Optional(Type.String()),
  nameIdentifierFormat: Type.Optional(Type.String()),
  signAuthnRequests: Type.Boolean(),
  providerName: Type.String(),
  displayOnLogin: Type.Boolean(),
  providerType: Type.String(),
  certificateDetails: Type.Array(CertificateDetail),
  certificateWarning: Type.Boolean(),
  version: Type.Integer(),
  dateCreated: Type.String(),
  dateModified: Type.String(),
  selfUri: Type.String(),
});
export type IdentityProvider = Static<typeof IdentityProvider>;

/** What POST /api/v2/identityproviders/metadata/parse reads from an IdP's metadata. */
export const ParsedMetadata = Type.Object({
  issuerURI: Type.String(),
  ssoTargetURI: Type.String(),
  ssoBinding: Type.String(),
  sloURI: Type.Optional(Type.String()),
  sloBinding: Type.Optional(Type.String()),
  nameIdentifierFormat: Type.Optional(Type.String()),
  certificates: Type.Array(Type.String()),
  certificateDetails: Type.Array(CertificateDetail),
  warnings: Type.Optional(Type.Array(Type.String())),
});
export type ParsedMetadata = Static<typeof ParsedMetadata>;

const SpCertificate = Type.Intersect([CertificateDetail, Type.Object({ pem: Type.String() })]);
/** Gatehouse as the organization's service provider (GET /api/v2/identityproviders/sp). */
export const SpInfo = Type.Object({
  entityId: Type.String(),
  acsUrl: Type.String(),
  sloUrl: Type.String(),
  signingCertificate: SpCertificate,
  encryptionCertificate: SpCertificate,
  metadataUri: Type.String(),
});
export type SpInfo = Static<typeof SpInfo>;

/** The organization's SSO settings as the API answers them. */
export const SsoSettings = Type.Object({
  ssoOnly: Type.Boolean(),
  breakGlassUserId: Type.Union([Type.String(), Type.Null()]),
  redirectAllowList: Type.Array(Type.String()),
});

/** GET /saml/providers: the public login options of an organization (the login page's SSO buttons). */
export const LoginProviderOption = Type.Object({
  id: Type.String(),
  name: Type.String(),
  providerType: Type.String(),
  logo: Type.Union([Type.String(), Type.Null()]),
  loginUrl: Type.String(),
});
export const LoginOptions = Type.Object({
  organization: Type.Object({ id: Type.String(), name: Type.String() }),
  ssoOnly: Type.Boolean(),
  providers: Type.Array(LoginProviderOption),
});
