/** Metadata and certificates for the identity-provider administration tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const keyDir = join(import.meta.dirname, 'keys');
export const CERT = {
  idp: readFileSync(join(keyDir, 'idp.crt'), 'utf8'),
  idp2: readFileSync(join(keyDir, 'idp2.crt'), 'utf8'),
  /** Expired on 2026-11-24. */
  expired: readFileSync(join(keyDir, 'idp-expired.crt'), 'utf8'),
  attacker: readFileSync(join(keyDir, 'attacker.crt'), 'utf8'),
  sp: readFileSync(join(keyDir, 'sp.crt'), 'utf8'),
};
export const body64 = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

export const ISSUER = 'http://www.okta.com/exk8abcdEFGH1234x697';
export const SSO_URL = 'https://dev-123456.okta.com/app/gatehouse/exk8abcdEFGH1234x697/sso/saml';
export const SLO_URL = 'https://dev-123456.okta.com/app/gatehouse/exk8abcdEFGH1234x697/slo/saml';

/** Okta-shaped IdP metadata with two signing certificates and a logout endpoint. */
export function oktaMetadata(certs: string[] = [CERT.idp, CERT.expired]): string {
  const keys = certs
    .map(
      (c) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${body64(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${ISSUER}"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${SLO_URL}"/><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${SSO_URL}"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${SSO_URL}"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
}
