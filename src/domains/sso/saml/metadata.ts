/**
 * SAML 2.0 metadata (SAML Metadata spec): reading an identity provider's, writing ours.
 *
 * `parseIdpMetadata` reads what an administrator uploads or pastes (Okta, Microsoft Entra ID, Google
 * Workspace, AD FS, Shibboleth…) through the safe parser in xml.ts — 1 MB limit, no DTD or entities
 * (billion laughs, XXE: xmldom CVE-2022-39299/39353 class), no PIs, one root — and matches elements by
 * namespace, so Entra's `fed:`/`RoleDescriptor` sections and their KeyDescriptors are ignored:
 * only the certificates of the IDPSSODescriptor's signing KeyDescriptors are returned. Anything
 * missing is a `SamlError` whose message names the missing piece.
 *
 * It does not verify a metadata signature or `validUntil`: the document's authenticity comes from
 * the administrator who supplied it (or the HTTPS URL it was fetched from), and the certificates
 * are shown to that administrator with their subject, expiry and fingerprint.
 *
 * `spMetadata` writes ours; every interpolated value is XML-escaped.
 * `describeCertificate` parses a certificate with node:crypto `X509Certificate`.
 */
import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { SamlError } from './errors.ts';
import {
  attr,
  childrenNamed,
  descendantsNamed,
  escapeXml,
  is,
  NS,
  parseXml,
  pemBody,
  textOf,
  XML_LIMITS,
} from './xml.ts';

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  ssoBinding: 'HTTP-Redirect' | 'HTTP-POST';
  sloUrl: string | null;
  sloBinding: string | null;
  nameIdFormat: string | null;
  certificates: { pem: string; notAfter: string /*ISO*/; subject: string }[];
}

const BINDINGS = {
  'HTTP-Redirect': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  'HTTP-POST': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;
type Binding = keyof typeof BINDINGS;
const PREFERRED_BINDINGS: Binding[] = ['HTTP-Redirect', 'HTTP-POST'];
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** Reads IdP metadata (an EntityDescriptor, or an EntitiesDescriptor holding exactly one IdP). */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const doc = parseXml(xml, { maxBytes: XML_LIMITS.metadata, label: 'IdP metadata' });
  const root = doc.documentElement!;
  let entities: Element[];
  if (is(root, NS.md, 'EntityDescriptor')) entities = [root];
  else if (is(root, NS.md, 'EntitiesDescriptor')) entities = descendantsNamed(root, NS.md, 'EntityDescriptor');
  else
    throw new SamlError(
      'metadata.invalid',
      `the root element is <${root.localName}>, not a SAML 2.0 md:EntityDescriptor`,
    );

  const idps = entities.filter((e) => idpDescriptor(e) !== null);
  if (idps.length === 0)
    throw new SamlError('metadata.missing-idp-descriptor', 'no EntityDescriptor has a SAML 2.0 IDPSSODescriptor');
  if (idps.length > 1)
    throw new SamlError('metadata.ambiguous', `${idps.length} EntityDescriptors describe identity providers`);
  const entity = idps[0];
  const entityId = attr(entity, 'entityID')?.trim();
  if (!entityId) throw new SamlError('metadata.missing-entity-id', 'the EntityDescriptor has no entityID attribute');
  const idp = idpDescriptor(entity)!;

  const sso = pickEndpoint(childrenNamed(idp, NS.md, 'SingleSignOnService'));
  if (!sso) {
    const detail = 'no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding and an http(s) Location';
    throw new SamlError('metadata.missing-sso-service', detail);
  }
  const slo = pickEndpoint(childrenNamed(idp, NS.md, 'SingleLogoutService'));

  const formats = childrenNamed(idp, NS.md, 'NameIDFormat')
    .map((el) => textOf(el, 'metadata.invalid'))
    .filter((f) => f !== '');
  const nameIdFormat = formats.includes(EMAIL_FORMAT) ? EMAIL_FORMAT : (formats[0] ?? null);

  const seen = new Set<string>();
  const certificates: IdpMetadata['certificates'] = [];
  for (const descriptor of childrenNamed(idp, NS.md, 'KeyDescriptor')) {
    const use = attr(descriptor, 'use');
    if (use !== null && use !== 'signing') continue;
    for (const keyInfo of childrenNamed(descriptor, NS.ds, 'KeyInfo')) {
      for (const data of childrenNamed(keyInfo, NS.ds, 'X509Data')) {
        for (const certEl of childrenNamed(data, NS.ds, 'X509Certificate')) {
          const cert = describeCertificate(textOf(certEl, 'metadata.invalid'));
          if (seen.has(cert.fingerprint256)) continue;
          seen.add(cert.fingerprint256);
          certificates.push({ pem: cert.pem, notAfter: cert.notAfter, subject: cert.subject });
        }
      }
    }
  }
  if (certificates.length === 0) {
    const detail = 'the IDPSSODescriptor has no signing KeyDescriptor with an X509Certificate';
    throw new SamlError('metadata.missing-signing-certificate', detail);
  }

  return {
    entityId,
    ssoUrl: sso.location,
    ssoBinding: sso.binding,
    sloUrl: slo?.location ?? null,
    sloBinding: slo?.binding ?? null,
    nameIdFormat,
    certificates,
  };
}

function idpDescriptor(entity: Element): Element | null {
  const saml2 = (d: Element) => (attr(d, 'protocolSupportEnumeration') ?? '').split(/\s+/).includes(NS.samlp);
  return childrenNamed(entity, NS.md, 'IDPSSODescriptor').find(saml2) ?? null;
}

function pickEndpoint(endpoints: Element[]): { binding: Binding; location: string } | null {
  for (const binding of PREFERRED_BINDINGS) {
    for (const e of endpoints) {
      const location = attr(e, 'Location')?.trim();
      if (attr(e, 'Binding') === BINDINGS[binding] && location && /^https?:\/\//i.test(location))
        return { binding, location };
    }
  }
  return null;
}

export interface SpMetadataOptions {
  entityId: string;
  acsUrl: string;
  sloUrl?: string;
  signingCertPem: string;
  encryptionCertPem: string;
  wantAssertionsSigned: boolean;
}

/** Our SPSSODescriptor: POST ACS, signed AuthnRequests, signing and encryption keys, optional Redirect SLO. */
export function spMetadata(opts: SpMetadataOptions): string {
  const signing = describeCertificate(opts.signingCertPem);
  const encryption = describeCertificate(opts.encryptionCertPem);
  const keyInfo = (pem: string) =>
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pemBody(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  const encryptionMethods = [
    'http://www.w3.org/2009/xmlenc11#aes256-gcm',
    'http://www.w3.org/2009/xmlenc11#aes128-gcm',
    'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
    'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
    'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" entityID="${escapeXml(opts.entityId)}">`,
    `  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="${opts.wantAssertionsSigned}"` +
      ` protocolSupportEnumeration="${NS.samlp}">`,
    `    <md:KeyDescriptor use="signing">${keyInfo(signing.pem)}</md:KeyDescriptor>`,
    `    <md:KeyDescriptor use="encryption">${keyInfo(encryption.pem)}`,
    ...encryptionMethods.map((a) => `      <md:EncryptionMethod Algorithm="${a}"/>`),
    '    </md:KeyDescriptor>',
    ...(opts.sloUrl
      ? [`    <md:SingleLogoutService Binding="${BINDINGS['HTTP-Redirect']}" Location="${escapeXml(opts.sloUrl)}"/>`]
      : []),
    `    <md:NameIDFormat>${EMAIL_FORMAT}</md:NameIDFormat>`,
    `    <md:AssertionConsumerService Binding="${BINDINGS['HTTP-POST']}" Location="${escapeXml(opts.acsUrl)}" index="0" isDefault="true"/>`,
    '  </md:SPSSODescriptor>',
    '</md:EntityDescriptor>',
  ];
  return `${lines.join('\n')}\n`;
}

/** Parses one certificate, PEM or bare base64 DER; `SamlError('certificate.invalid')` otherwise. */
export function parseCertificate(pemOrBase64: string): X509Certificate {
  const body = typeof pemOrBase64 === 'string' ? pemBody(pemOrBase64) : '';
  const pems = typeof pemOrBase64 === 'string' ? (pemOrBase64.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0) : 0;
  if (pems > 1)
    throw new SamlError('certificate.invalid', 'several PEM certificates were given where one was expected');
  if (body === '' || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new SamlError('certificate.invalid', 'the certificate is neither PEM nor base64 DER');
  }
  try {
    return new X509Certificate(Buffer.from(body, 'base64'));
  } catch (e) {
    throw new SamlError('certificate.invalid', `the certificate cannot be parsed: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

export interface CertificateDescription {
  pem: string;
  notBefore: string;
  notAfter: string;
  subject: string;
  fingerprint256: string;
}

/** Subject, validity and SHA-256 fingerprint of a certificate, for display and for trust configuration. */
export function describeCertificate(pemOrBase64: string): CertificateDescription {
  const cert = parseCertificate(pemOrBase64);
  return {
    pem: cert.toString(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    subject: cert.subject.split('\n').join(', '),
    fingerprint256: cert.fingerprint256,
  };
}
