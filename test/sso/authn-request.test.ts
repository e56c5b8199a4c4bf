import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import { describe, expect, it } from 'vitest';
import {
  buildAuthnRequest,
  postBindingForm,
  RSA_SHA256,
  redirectBindingUrl,
} from '../../src/domains/sso/saml/authn-request.ts';
import { NS, parseXml, XML_LIMITS } from '../../src/domains/sso/saml/xml.ts';
import { ACS_URL, dom, expectSamlThrow, KEYS, NOW, NS_DS, SP_ENTITY } from './fixtures.ts';

const SSO = 'https://idp.example.com/sso/saml';
const request = (extra = {}) =>
  buildAuthnRequest({ issuer: SP_ENTITY, destination: SSO, acsUrl: ACS_URL, now: NOW, ...extra });

/** Decodes HTML attribute escapes (the inverse of what postBindingForm applies). */
const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const formValue = (html: string, name: string) => {
  const m = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html);
  return m ? unescapeHtml(m[1]) : null;
};

describe('buildAuthnRequest', () => {
  it('builds an AuthnRequest with a fresh random ID', () => {
    const { id, xml } = request({
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      forceAuthn: true,
    });
    expect(id).toMatch(/^_[0-9a-f]{40}$/);
    expect(request().id).not.toBe(id);
    const root = parseXml(xml, { maxBytes: XML_LIMITS.message }).documentElement!;
    expect(root.namespaceURI).toBe(NS.samlp);
    expect(root.localName).toBe('AuthnRequest');
    expect({
      ID: root.getAttribute('ID'),
      Version: root.getAttribute('Version'),
      IssueInstant: root.getAttribute('IssueInstant'),
      Destination: root.getAttribute('Destination'),
      AssertionConsumerServiceURL: root.getAttribute('AssertionConsumerServiceURL'),
      ProtocolBinding: root.getAttribute('ProtocolBinding'),
      ForceAuthn: root.getAttribute('ForceAuthn'),
    }).toEqual({
      ID: id,
      Version: '2.0',
      IssueInstant: '2030-01-01T12:00:00Z',
      Destination: SSO,
      AssertionConsumerServiceURL: ACS_URL,
      ProtocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      ForceAuthn: 'true',
    });
    expect(root.getElementsByTagNameNS(NS.saml, 'Issuer')[0].textContent).toBe(SP_ENTITY);
    const policy = root.getElementsByTagNameNS(NS.samlp, 'NameIDPolicy')[0];
    expect(policy.getAttribute('Format')).toBe('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
  });

  it('escapes values and omits optional parts', () => {
    const { xml } = request({ issuer: 'https://sp.example.com/?a=1&b="<x>"', id: '_fixed' });
    const root = parseXml(xml, { maxBytes: XML_LIMITS.message }).documentElement!;
    expect(root.getElementsByTagNameNS(NS.saml, 'Issuer')[0].textContent).toBe('https://sp.example.com/?a=1&b="<x>"');
    expect(root.getAttribute('ID')).toBe('_fixed');
    expect(root.hasAttribute('ForceAuthn')).toBe(false);
    expect(root.getElementsByTagNameNS(NS.samlp, 'NameIDPolicy')[0].hasAttribute('Format')).toBe(false);
  });

  it('refuses an ID that is not an NCName', () => {
    expectSamlThrow(() => request({ id: '1abc' }), 'request.invalid');
    expectSamlThrow(() => request({ id: '_a" evil="1' }), 'request.invalid');
  });
});

describe('redirectBindingUrl', () => {
  it('deflates and base64-encodes the request; it inflates back to the XML', () => {
    const { xml } = request();
    const url = new URL(redirectBindingUrl({ ssoUrl: SSO, xml, relayState: 'r/1?x=y&z' }));
    expect(url.origin + url.pathname).toBe(SSO);
    expect(inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8')).toBe(xml);
    expect(url.searchParams.get('RelayState')).toBe('r/1?x=y&z');
    expect(url.searchParams.has('Signature')).toBe(false);
  });

  it('keeps a query the SSO URL already has (Google Workspace idpid)', () => {
    const url = new URL(
      redirectBindingUrl({ ssoUrl: 'https://accounts.google.com/o/saml2/idp?idpid=C03abc123', xml: request().xml }),
    );
    expect(url.searchParams.get('idpid')).toBe('C03abc123');
    expect(url.searchParams.has('SAMLRequest')).toBe(true);
  });

  it('signs SAMLRequest, RelayState and SigAlg in that order; the signature verifies with node:crypto', () => {
    const { xml } = request();
    const raw = redirectBindingUrl({ ssoUrl: SSO, xml, relayState: 'state 1', signingKeyPem: KEYS.sp.key });
    const query = raw.slice(raw.indexOf('?') + 1);
    const parts = query.split('&');
    expect(parts.map((p) => p.split('=')[0])).toEqual(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']);
    const url = new URL(raw);
    expect(url.searchParams.get('SigAlg')).toBe(RSA_SHA256);
    const signed = parts.slice(0, 3).join('&');
    const signature = Buffer.from(url.searchParams.get('Signature')!, 'base64');
    const key = createPublicKey(KEYS.sp.cert);
    expect(verify('sha256', Buffer.from(signed), key, signature)).toBe(true);
    // Any change to the signed octets breaks it.
    expect(verify('sha256', Buffer.from(signed.replace('state%201', 'state%202')), key, signature)).toBe(false);
    // Without RelayState the signed string is SAMLRequest&SigAlg.
    const noRelay = redirectBindingUrl({ ssoUrl: SSO, xml, signingKeyPem: KEYS.sp.key });
    const p2 = noRelay.slice(noRelay.indexOf('?') + 1).split('&');
    const noRelaySignature = Buffer.from(new URL(noRelay).searchParams.get('Signature')!, 'base64');
    expect(verify('sha256', Buffer.from(p2.slice(0, 2).join('&')), key, noRelaySignature)).toBe(true);
  });

  it('refuses non-http(s) SSO URLs, long RelayState and non-RSA keys', () => {
    const { xml } = request();
    expectSamlThrow(() => redirectBindingUrl({ ssoUrl: 'javascript:alert(1)', xml }), 'request.invalid');
    expectSamlThrow(() => redirectBindingUrl({ ssoUrl: `${SSO}#frag`, xml }), 'request.invalid');
    expectSamlThrow(() => redirectBindingUrl({ ssoUrl: SSO, xml, relayState: 'x'.repeat(81) }), 'request.invalid');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expectSamlThrow(() => redirectBindingUrl({ ssoUrl: SSO, xml, signingKeyPem: ec }), 'key.invalid');
    expectSamlThrow(() => redirectBindingUrl({ ssoUrl: SSO, xml, signingKeyPem: 'nope' }), 'key.invalid');
  });
});

describe('postBindingForm', () => {
  it('is an auto-submitting form carrying the base64 XML and RelayState, with everything escaped', () => {
    const { xml } = request();
    const relayState = '"><script>alert(1)</script>';
    const html = postBindingForm({ ssoUrl: 'https://idp.example.com/sso?a=1&b="2"', xml, relayState, nonce: 'n"once' });
    expect(html).toContain(
      '<form id="saml-request" method="post" action="https://idp.example.com/sso?a=1&amp;b=&quot;2&quot;">',
    );
    expect(html).not.toContain('<script>alert(1)');
    expect(formValue(html, 'RelayState')).toBe(relayState);
    expect(Buffer.from(formValue(html, 'SAMLRequest')!, 'base64').toString('utf8')).toBe(xml);
    expect(html).toContain('<script nonce="n&quot;once">document.getElementById(\'saml-request\').submit();</script>');
    expect(html).toContain('<noscript>');
  });

  it('signs the XML when a key is given; the signature verifies with xml-crypto and sits after Issuer', () => {
    const { id, xml } = request();
    const html = postBindingForm({ ssoUrl: SSO, xml, signingKeyPem: KEYS.sp.key, signingCertPem: KEYS.sp.cert });
    const signedXml = Buffer.from(formValue(html, 'SAMLRequest')!, 'base64').toString('utf8');
    const doc = dom.parse(signedXml);
    const signature = dom.one(doc, NS_DS, 'Signature');
    expect((signature.previousSibling as { localName?: string }).localName).toBe('Issuer');
    expect(dom.one(doc, NS_DS, 'Reference').getAttribute('URI')).toBe(`#${id}`);
    expect(dom.one(doc, NS_DS, 'X509Certificate').textContent).toBeTruthy();

    const checker = new SignedXml({ publicCert: KEYS.sp.cert });
    checker.loadSignature(signature as unknown as globalThis.Node);
    expect(checker.checkSignature(signedXml)).toBe(true);
    const wrongKey = new SignedXml({ publicCert: KEYS.idp.cert });
    wrongKey.loadSignature(signature as unknown as globalThis.Node);
    expect(() => wrongKey.checkSignature(signedXml)).toThrow(/invalid signature/);
  });

  it('leaves the XML unsigned without a key and refuses unsafe URLs', () => {
    const { xml } = request();
    expect(
      Buffer.from(formValue(postBindingForm({ ssoUrl: SSO, xml }), 'SAMLRequest')!, 'base64').toString('utf8'),
    ).toBe(xml);
    expectSamlThrow(() => postBindingForm({ ssoUrl: 'javascript:alert(1)//', xml }), 'request.invalid');
    expectSamlThrow(() => postBindingForm({ ssoUrl: 'data:text/html,hi', xml }), 'request.invalid');
  });
});
