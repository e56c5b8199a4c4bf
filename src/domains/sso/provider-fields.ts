/**
 * What an identity-provider body becomes and how a stored provider is answered: the upstream
 * kinds and their display names, field rules the request schema cannot express (URLs, bindings,
 * PEM, at most 5 certificates, an enabled provider needs one), certificate expiry details, the
 * answer shape and the audit snapshot.
 */
import { invalidValue } from '../../platform/errors/index.ts';
import type { SsoProviderRow } from '../../storage/schema.ts';
import { sanitizeLogo } from './logo.ts';
import type { SamlBinding } from './model.ts';
import { isSamlError } from './saml/errors.ts';
import { describeCertificate } from './saml/metadata.ts';
import { type CertificateDetail, type IdentityProvider, PROVIDER_TYPES, type ProviderBody } from './schemas.ts';

export const MAX_PROVIDERS = 30;
export const MAX_CERTIFICATES = 5;
export const EXPIRY_WARNING_DAYS = 30;
/** What the break-glass user must hold in SSO-only mode: enough to turn SSO-only off again. */
export const BREAK_GLASS_PERMISSION = 'sso:provider:edit';

/** The provider kinds with their own upstream path (one list, in sso/schemas.ts). */
export const NAMED_KINDS = PROVIDER_TYPES;
export type NamedKind = (typeof NAMED_KINDS)[number];

export const DISPLAY_NAMES: Record<NamedKind, string> = {
  adfs: 'ADFS',
  cic: 'Customer Interaction Center',
  generic: 'Generic SSO',
  gsuite: 'Google Workspace',
  identitynow: 'IdentityNow',
  okta: 'Okta',
  onelogin: 'OneLogin',
  ping: 'Ping Identity',
  purecloud: 'PureCloud',
  pureengage: 'PureEngage',
  salesforce: 'Salesforce',
};

export const BINDING_URN: Record<SamlBinding, string> = {
  'HTTP-Redirect': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  'HTTP-POST': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
};
export const NAME_ID_FORMATS = [
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
];

function binding(field: string, v: string | null | undefined): SamlBinding | null {
  if (v === undefined || v === null || v === '') return null;
  for (const [short, urn] of Object.entries(BINDING_URN)) if (v === urn || v === short) return short as SamlBinding;
  throw invalidValue(field, `${field} must be ${BINDING_URN['HTTP-POST']} or ${BINDING_URN['HTTP-Redirect']}.`);
}

function url(field: string, v: string | null | undefined, required: boolean): string | null {
  const s = v?.trim() ?? '';
  if (s === '') {
    if (required) throw invalidValue(field, `${field} is required.`);
    return null;
  }
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    throw invalidValue(field, `${field} must be an absolute http(s) URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw invalidValue(field, `${field} must be an absolute http(s) URL.`);
  if (s.length > 2048) throw invalidValue(field, `${field} must be at most 2048 characters.`);
  return s;
}

/** Each certificate as PEM; 400 naming certificates[i] when one does not parse, or there are more than 5. */
function certificates(body: ProviderBody): string[] {
  // `certificates` wins; the deprecated single `certificate` is used only when the list is absent.
  const list =
    body.certificates !== undefined ? [...(body.certificates ?? [])] : body.certificate ? [body.certificate] : [];
  if (list.length > MAX_CERTIFICATES) {
    throw invalidValue(
      'certificates',
      `An identity provider can have at most ${MAX_CERTIFICATES} certificates; ${list.length} were given.`,
    );
  }
  const seen = new Set<string>();
  const out: string[] = [];
  list.forEach((c, i) => {
    try {
      const d = describeCertificate(c);
      if (!seen.has(d.fingerprint256)) out.push(d.pem);
      seen.add(d.fingerprint256);
    } catch (e) {
      const why = isSamlError(e) ? (e.detail ?? e.message) : 'it cannot be parsed';
      throw invalidValue(
        `certificates[${i}]`,
        `certificates[${i}] is not an X.509 certificate (PEM or base64 DER): ${why}.`,
      );
    }
  });
  return out;
}

export function certificateDetails(pems: string[], now: Date): CertificateDetail[] {
  return pems.map((pem) => {
    const d = describeCertificate(pem);
    const msLeft = new Date(d.notAfter).getTime() - now.getTime();
    const expired = msLeft <= 0;
    const expiresSoon = !expired && msLeft <= EXPIRY_WARNING_DAYS * 86_400_000;
    return {
      subject: d.subject,
      notBefore: d.notBefore,
      notAfter: d.notAfter,
      fingerprint256: d.fingerprint256,
      expired,
      expiresSoon,
      ...(expired
        ? { warning: `Expired on ${d.notAfter.slice(0, 10)}` }
        : expiresSoon
          ? { warning: `Expires on ${d.notAfter.slice(0, 10)}` }
          : {}),
    };
  });
}

export function providerView(r: SsoProviderRow, now: Date): IdentityProvider {
  const certs = JSON.parse(r.certificates) as string[];
  const details = certificateDetails(certs, now);
  const selfUri = r.named_kind ? `/api/v2/identityproviders/${r.named_kind}` : `/api/v2/identityproviders/${r.id}`;
  return {
    id: r.id,
    name: r.name,
    disabled: r.disabled === 1,
    issuerURI: r.issuer_uri,
    ssoTargetURI: r.sso_target_uri,
    ssoBinding: BINDING_URN[r.sso_binding as SamlBinding],
    ...(r.slo_uri ? { sloURI: r.slo_uri } : {}),
    ...(r.slo_binding ? { sloBinding: BINDING_URN[r.slo_binding as SamlBinding] } : {}),
    ...(r.relying_party_identifier ? { relyingPartyIdentifier: r.relying_party_identifier } : {}),
    ...(certs[0] ? { certificate: certs[0] } : {}),
    certificates: certs,
    ...(r.logo_svg ? { logoImageData: r.logo_svg } : {}),
    ...(r.name_id_format ? { nameIdentifierFormat: r.name_id_format } : {}),
    signAuthnRequests: r.sign_authn_requests === 1,
    providerName: r.named_kind ? DISPLAY_NAMES[r.named_kind as NamedKind] : r.name,
    displayOnLogin: r.display_on_login === 1,
    // Gatehouse additions: the kind, and each certificate's subject and expiry (warning within 30 days).
    providerType: r.provider_type,
    certificateDetails: details,
    certificateWarning: details.some((d) => d.expired || d.expiresSoon),
    version: r.version,
    dateCreated: r.created_at,
    dateModified: r.modified_at,
    selfUri,
  };
}

export const snapshot = (r: SsoProviderRow) => ({
  name: r.name,
  providerType: r.provider_type,
  disabled: r.disabled === 1,
  issuerURI: r.issuer_uri,
  ssoTargetURI: r.sso_target_uri,
  ssoBinding: r.sso_binding,
  sloURI: r.slo_uri,
  sloBinding: r.slo_binding,
  nameIdentifierFormat: r.name_id_format,
  relyingPartyIdentifier: r.relying_party_identifier,
  signAuthnRequests: r.sign_authn_requests === 1,
  displayOnLogin: r.display_on_login === 1,
  certificates: JSON.parse(r.certificates) as string[],
  logo: r.logo_svg ? 'svg' : null,
});

/** Trimmed, required, at most `max` characters. */
function requiredText(field: string, value: string, max: number): string {
  const s = value.trim();
  if (s === '') throw invalidValue(field, `${field} is required.`);
  if (s.length > max) throw invalidValue(field, `${field} must be at most ${max} characters.`);
  return s;
}

/** A PUT that leaves a field out keeps it; null or '' clears it; anything else goes through `parse`. */
function kept(value: string | null | undefined, previous: string | null | undefined, parse: (v: string) => string) {
  if (value === undefined) return previous ?? null;
  return value ? parse(value) || null : null;
}

function nameIdFormatOf(body: ProviderBody, previous: SsoProviderRow | null): string | null {
  const format = kept(body.nameIdentifierFormat, previous?.name_id_format, (v) => v);
  if (format !== null && !NAME_ID_FORMATS.includes(format)) {
    throw invalidValue('nameIdentifierFormat', `nameIdentifierFormat must be one of ${NAME_ID_FORMATS.join(', ')}.`);
  }
  return format;
}

function certificatesOf(body: ProviderBody, previous: SsoProviderRow | null): string[] {
  if (body.certificates !== undefined || body.certificate !== undefined) return certificates(body);
  return previous ? (JSON.parse(previous.certificates) as string[]) : [];
}

/** Validated columns from a body; `previous` fills what a PUT leaves out. */
export function providerColumns(body: ProviderBody, previous: SsoProviderRow | null, defaultName: string) {
  const name = requiredText('name', body.name ?? previous?.name ?? defaultName, 255);
  const issuer = requiredText('issuerURI', body.issuerURI ?? previous?.issuer_uri ?? '', 2048);
  const nameIdFormat = nameIdFormatOf(body, previous);
  const certs = certificatesOf(body, previous);
  const disabled = body.disabled ?? previous?.disabled === 1;
  // An enabled provider without a certificate could never verify a login, yet would show on the login page.
  if (!disabled && certs.length === 0) {
    throw invalidValue(
      'certificates',
      'An enabled identity provider needs at least one certificate; add one, or save the provider disabled.',
    );
  }
  return {
    name,
    disabled: disabled ? 1 : 0,
    issuer_uri: issuer,
    sso_target_uri: url('ssoTargetURI', body.ssoTargetURI ?? previous?.sso_target_uri, true) as string,
    sso_binding:
      binding('ssoBinding', body.ssoBinding) ?? (previous?.sso_binding as SamlBinding | undefined) ?? 'HTTP-Redirect',
    slo_uri: body.sloURI === undefined ? (previous?.slo_uri ?? null) : url('sloURI', body.sloURI, false),
    slo_binding:
      body.sloBinding === undefined ? (previous?.slo_binding ?? null) : binding('sloBinding', body.sloBinding),
    name_id_format: nameIdFormat,
    relying_party_identifier: kept(body.relyingPartyIdentifier, previous?.relying_party_identifier, (v) => v.trim()),
    sign_authn_requests: (body.signAuthnRequests ?? previous?.sign_authn_requests === 1) ? 1 : 0,
    certificates: JSON.stringify(certs),
    logo_svg: kept(body.logoImageData, previous?.logo_svg, sanitizeLogo),
    display_on_login: (body.displayOnLogin ?? (previous ? previous.display_on_login === 1 : true)) ? 1 : 0,
  };
}
