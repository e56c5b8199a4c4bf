/**
 * SP-initiated sign-in: building `<samlp:AuthnRequest>` and sending it with the HTTP-Redirect or the
 * HTTP-POST binding (SAML Bindings §3.4, §3.5).
 *
 * - `buildAuthnRequest` returns the request and its ID; the caller remembers the ID and passes it
 *   back as `expectedInResponseTo` when the response arrives (response.ts rule 7). The ID is 160
 *   random bits; every interpolated value is XML-escaped.
 * - `redirectBindingUrl`: `SAMLRequest` = base64(DEFLATE raw(xml)); when a key is given, `SigAlg`
 *   (rsa-sha256) and `Signature` over the exact `SAMLRequest=…&RelayState=…&SigAlg=…` string that is
 *   sent (§3.4.4.1), so the IdP verifies the bytes it receives.
 * - `postBindingForm`: an auto-submitting HTML form; when a key is given the XML carries an enveloped
 *   XML signature (exclusive c14n, rsa-sha256, one Reference to the request's ID, placed after Issuer
 *   as the schema requires). Everything in the HTML is escaped; the script takes a CSP nonce.
 * - Only http(s) SSO URLs are accepted (a `javascript:` action would run script), and RelayState is
 *   limited to the 80 bytes §3.4.3/§3.5.3 allow.
 */
import { createPrivateKey, type KeyObject, randomBytes, sign as cryptoSign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { SamlError } from './errors.ts';
import { escapeXml, NS, xmlCrypto } from './xml.ts';

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export interface AuthnRequestOptions {
  /** Defaults to '_' + 40 random hex digits. Must be an XML NCName. */
  id?: string;
  /** Our entity ID. */
  issuer: string;
  /** The IdP's SingleSignOnService URL. */
  destination: string;
  acsUrl: string;
  nameIdFormat?: string;
  forceAuthn?: boolean;
  now: Date;
}

export function buildAuthnRequest(opts: AuthnRequestOptions): { id: string; xml: string } {
  const id = opts.id ?? `_${randomBytes(20).toString('hex')}`;
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(id))
    throw new SamlError('request.invalid', `the request ID "${id}" is not an XML NCName`);
  if (Number.isNaN(opts.now.getTime())) throw new SamlError('request.invalid', 'now is not a valid date');
  const issueInstant = opts.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const policy = opts.nameIdFormat
    ? `<samlp:NameIDPolicy Format="${escapeXml(opts.nameIdFormat)}" AllowCreate="true"/>`
    : '<samlp:NameIDPolicy AllowCreate="true"/>';
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${id}" Version="2.0" IssueInstant="${issueInstant}"` +
    ` Destination="${escapeXml(opts.destination)}" AssertionConsumerServiceURL="${escapeXml(opts.acsUrl)}" ProtocolBinding="${HTTP_POST}"` +
    `${opts.forceAuthn ? ' ForceAuthn="true"' : ''}>` +
    `<saml:Issuer>${escapeXml(opts.issuer)}</saml:Issuer>${policy}</samlp:AuthnRequest>`;
  return { id, xml };
}

export interface RedirectBindingOptions {
  ssoUrl: string;
  xml: string;
  relayState?: string;
  signingKeyPem?: string;
}

/** The URL to redirect the browser to (HTTP-Redirect binding, DEFLATE encoding, optional query signature). */
export function redirectBindingUrl(opts: RedirectBindingOptions): string {
  checkSsoUrl(opts.ssoUrl);
  checkRelayState(opts.relayState);
  const encoded = deflateRawSync(Buffer.from(opts.xml, 'utf8')).toString('base64');
  let query = `SAMLRequest=${encodeURIComponent(encoded)}`;
  if (opts.relayState !== undefined) query += `&RelayState=${encodeURIComponent(opts.relayState)}`;
  if (opts.signingKeyPem) {
    const key = rsaKey(opts.signingKeyPem);
    query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    const signature = cryptoSign('sha256', Buffer.from(query, 'utf8'), key).toString('base64');
    query += `&Signature=${encodeURIComponent(signature)}`;
  }
  return `${opts.ssoUrl}${opts.ssoUrl.includes('?') ? '&' : '?'}${query}`;
}

export interface PostBindingOptions {
  ssoUrl: string;
  xml: string;
  relayState?: string;
  signingKeyPem?: string;
  /** Published in the signature's KeyInfo when given. */
  signingCertPem?: string;
  /** CSP nonce for the auto-submit script. */
  nonce?: string;
}

/** An HTML page that POSTs the (optionally signed) request to the IdP (HTTP-POST binding). */
export function postBindingForm(opts: PostBindingOptions): string {
  checkSsoUrl(opts.ssoUrl);
  checkRelayState(opts.relayState);
  const xml = opts.signingKeyPem ? signXml(opts.xml, opts.signingKeyPem, opts.signingCertPem) : opts.xml;
  const samlRequest = Buffer.from(xml, 'utf8').toString('base64');
  const nonce = opts.nonce === undefined ? '' : ` nonce="${escapeHtml(opts.nonce)}"`;
  const relay =
    opts.relayState === undefined
      ? ''
      : `<input type="hidden" name="RelayState" value="${escapeHtml(opts.relayState)}">`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Signing in…</title></head>',
    '<body>',
    `<form id="saml-request" method="post" action="${escapeHtml(opts.ssoUrl)}">`,
    `<input type="hidden" name="SAMLRequest" value="${escapeHtml(samlRequest)}">`,
    relay,
    '<noscript><p>JavaScript is turned off. Press Continue to sign in.</p><button type="submit">Continue</button></noscript>',
    '</form>',
    `<script${nonce}>document.getElementById('saml-request').submit();</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Enveloped signature over the request root, placed right after its Issuer. */
function signXml(xml: string, keyPem: string, certPem?: string): string {
  rsaKey(keyPem);
  try {
    const { SignedXml } = xmlCrypto();
    const signer = new SignedXml({
      privateKey: keyPem,
      publicCert: certPem,
      signatureAlgorithm: RSA_SHA256,
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    signer.addReference({
      xpath: '/*',
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    });
    signer.computeSignature(xml, {
      prefix: 'ds',
      location: { reference: `/*/*[local-name(.)='Issuer' and namespace-uri(.)='${NS.saml}']`, action: 'after' },
    });
    return signer.getSignedXml();
  } catch (e) {
    throw new SamlError('request.invalid', `the request could not be signed: ${(e as Error).message}`, { cause: e });
  }
}

function rsaKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new SamlError('key.invalid', 'the signing key is not a readable PEM private key', { cause: e });
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new SamlError('key.invalid', `the signing key is ${key.asymmetricKeyType}, not RSA`);
  return key;
}

function checkSsoUrl(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SamlError('request.invalid', 'the IdP SSO URL is not a URL');
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hash !== '' || url.includes('#')) {
    throw new SamlError('request.invalid', 'the IdP SSO URL must be an http(s) URL without a fragment');
  }
}

function checkRelayState(relayState: string | undefined) {
  if (relayState !== undefined && Buffer.byteLength(relayState, 'utf8') > 80) {
    throw new SamlError('request.invalid', 'RelayState must not exceed 80 bytes (SAML Bindings §3.4.3)');
  }
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
